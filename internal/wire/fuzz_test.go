package wire

import (
	"reflect"
	"testing"

	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/protobuf/proto"
)

// FuzzFromProto feeds arbitrary bytes through the server's decode path: it
// must never panic, and whatever it accepts must survive a round trip
// unchanged and pass validation again.
func FuzzFromProto(f *testing.F) {
	for _, ev := range sampleEvents() {
		b, err := proto.Marshal(ToProto(ev))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x63})
	f.Fuzz(func(t *testing.T, b []byte) {
		var pe pb.Event
		if err := proto.Unmarshal(b, &pe); err != nil {
			return
		}
		ev, err := FromProto(&pe)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		again, err := FromProto(ToProto(ev))
		if err != nil {
			t.Fatalf("accepted event fails after round trip: %v", err)
		}
		if !reflect.DeepEqual(again, ev) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", again, ev)
		}
	})
}
