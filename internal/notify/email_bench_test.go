package notify

import "testing"

// BenchmarkBuildEmail measures laying out one finding mail and encoding it
// (MIME, quoted-printable, the event attached): the server's CPU per mail.
func BenchmarkBuildEmail(b *testing.B) {
	p := readFixture(b, "docker-socket")
	for b.Loop() {
		m, err := BuildEmail([]string{"a@example.com"}, "v@example.com", "e", p, "http://x")
		if err != nil {
			b.Fatal(err)
		}
		_ = m.Raw()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}
