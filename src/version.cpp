// SPDX-License-Identifier: GPL-2.0-or-later
#include <ddrspd/version.hpp>

namespace ddrspd {
const char* version() noexcept { return DDRSPD_VERSION; }
} // namespace ddrspd
