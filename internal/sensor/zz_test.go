package sensor

import (
	"math/rand"
	"testing"
	"time"
)

func TestZZRandom(t *testing.T) {
	seeds := [][]byte{execRecord(t, "/bin/sh", "sh\x00-c\x00", "a\x00", 0), dnsRecord(t, dnsQuery(t, "a.b", 1))}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		b := append([]byte{}, seeds[i%2]...)
		for j := 0; j < 5; j++ {
			b[r.Intn(len(b))] = byte(r.Intn(256))
		}
		start := time.Now()
		Decode(b, testBoot)
		if time.Since(start) > 100*time.Millisecond {
			t.Fatalf("slow %d", i)
		}
	}
}
