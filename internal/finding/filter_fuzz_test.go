package finding

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzNormalizeFilter decodes arbitrary JSON into a Filter and normalizes
// it: it never panics, failures are *ValidationError with messages, and a
// normalized filter is a fixed point, also after a JSON round trip (what
// a store does with it). Matches on the result must not panic either.
func FuzzNormalizeFilter(f *testing.F) {
	for _, seed := range []string{
		`{"name":"abc","rank":1,"findingCriteria":{"criterion":{"region":{"eq":["eu-west-1"],"equals":["eu-west-1","x"]}}}}`,
		`{"name":"suppress-ci","action":"ARCHIVE","rank":2,"findingCriteria":{"criterion":{"severity":{"gt":4,"lte":8},"service.archived":{"equals":["false"]}}}}`,
		`{"name":"abc","rank":1,"findingCriteria":{"criterion":{"resource.containerDetails.image":{"matches":["nginx:*","?"],"notMatches":["*debug*"]}}}}`,
		`{"name":"abc","rank":1,"findingCriteria":{"criterion":{"service.runtimeDetails.process.lineage.startTime":{"greaterThan":1486685375000}}}}`,
		`{"name":"abc","rank":1,"findingCriteria":{"criterion":{"service.additionalInfo.threatListName":{"notEquals":["x"]}}}}`,
		`{"name":"abc","rank":1,"findingCriteria":{"criterion":{"severity":{"gt":5,"greaterThan":6}}}}`,
		`{"name":"a b","action":"x","rank":0,"findingCriteria":{"criterion":{"nope":{}}}}`,
		`{"findingCriteria":{"criterion":{"type":null}}}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	sample := dnsFinding(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in Filter
		if json.Unmarshal(data, &in) != nil {
			return
		}
		n, err := NormalizeFilter(in)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 || err.Error() == "" {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		again, err := NormalizeFilter(n)
		if err != nil || !reflect.DeepEqual(again, n) {
			t.Fatalf("not a fixed point:\n%+v\n%+v (%v)", n, again, err)
		}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var back Filter
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back, err = NormalizeFilter(back); err != nil || !reflect.DeepEqual(back, n) {
			t.Fatalf("JSON round trip changed the filter:\n%+v\n%+v (%v)", n, back, err)
		}
		n.FindingCriteria.Matches(sample)
		Suppressed([]Filter{n}, sample)
	})
}
