// Command probe is a tiny static program that tests copy into runc
// containers to make one precise syscall the busybox applets cannot:
//
//	probe unix PATH          connect(2) to a unix stream socket and write a line
//	probe tcp HOST:PORT      connect(2) over TCP
//	probe dns NAME HOST:PORT send one DNS A query over UDP (sendto)
//
// It prints "ok" or the error and exits 0 or 1.
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
	// Stay a moment, as a real client reading its answer would: a process
	// that is gone within a millisecond of its connect leaves the agent no
	// /proc/<pid>/exe to hash.
	time.Sleep(500 * time.Millisecond)
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: probe unix PATH | tcp HOST:PORT | dns NAME HOST:PORT")
	}
	switch args[0] {
	case "unix", "tcp":
		c, err := net.DialTimeout(args[0], args[1], 5*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("GET /version HTTP/1.0\r\n\r\n"))
		return err
	case "dns":
		if len(args) < 3 {
			return fmt.Errorf("dns needs NAME HOST:PORT")
		}
		return dnsQuery(args[1], args[2])
	}
	return fmt.Errorf("unknown probe %q", args[0])
}

func dnsQuery(name, server string) error {
	raddr, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		return err
	}
	c, err := net.ListenUDP("udp", nil)
	if err != nil {
		return err
	}
	defer c.Close()
	msg := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		msg = append(msg, byte(len(l)))
		msg = append(msg, l...)
	}
	msg = append(msg, 0, 0, 1, 0, 1)
	_, err = c.WriteToUDP(msg, raddr)
	return err
}
