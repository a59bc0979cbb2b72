package posapi

import (
	"fmt"
	"time"
)

// ParseDate reads what an operator types for a day or an instant: a date
// (2026-11-23, local time) or an RFC 3339 time. A date given as the end
// of a range means the end of that day, so "--to 2026-11-30" includes the
// 30th.
func ParseDate(s string, endOfRange bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-11-23) or RFC 3339 time", s)
	}
	if endOfRange {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}
