package sensor

// The eBPF objects are generated and committed so that building vigil needs
// no clang. Regenerate (Debian: clang, llvm, libbpf-dev) with:
//
//	go generate ./internal/sensor/
//
// vmlinux.h comes from `bpftool btf dump file /sys/kernel/btf/vmlinux format c`.
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64 -type event_hdr -type exec_event -type exit_event -type connect_event -type dns_event -type open_event -type cgroup_path sensor bpf/sensor.c
