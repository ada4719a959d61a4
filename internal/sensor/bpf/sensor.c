// SPDX-License-Identifier: GPL-2.0
/*
 * vigil sensor: one compilation unit for all programs so that they share the
 * `events` ring buffer and the config maps. See common.h for the layouts.
 */
#include "process.h"
#include "syscalls.h"
#include "cgroup.h"

char LICENSE[] SEC("license") = "GPL";
