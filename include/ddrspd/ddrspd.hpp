// SPDX-License-Identifier: GPL-2.0-or-later
// libddrspd umbrella header: everything a program needs.
#pragma once

#include <ddrspd/builder.hpp>
#include <ddrspd/bus.hpp>
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/eeprom24.hpp>
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>
#include <ddrspd/image.hpp>
#include <ddrspd/jep106.hpp>
#include <ddrspd/open.hpp>
#include <ddrspd/spd_device.hpp>
#include <ddrspd/types.hpp>
#include <ddrspd/version.hpp>
