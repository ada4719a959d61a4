package pattern

// reservedInOr lists the names that may not be used as field names inside
// a $or branch (event-ruler's RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP):
// there they would be ambiguous with operators. An immutable table.
var reservedInOr = map[string]bool{
	"prefix": true, "suffix": true, "numeric": true, "cidr": true,
	"exists": true, "anything-but": true, "wildcard": true,
	"equals-ignore-case": true, "exactly": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true,
	"date-on-or-before": true, "in-date-range": true,
	"ip-address-in-range": true, "ip-address-not-in-range": true,
}

// checkReserved rejects reserved field names anywhere inside a $or branch.
// Nested $or arrays are checked when they are compiled.
func checkReserved(obj map[string]any, at where) error {
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if k == "$or" {
			continue
		}
		if reservedInOr[k] {
			return errAt(at.dot(k), "%q is reserved and cannot be a field name inside $or", k)
		}
		if sub, ok := v.(map[string]any); ok {
			if err := checkReserved(sub, at.key(k)); err != nil {
				return err
			}
		}
	}
	return nil
}
