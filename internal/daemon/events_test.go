package daemon

import (
	"strings"
	"testing"

	"github.com/posd/posd/internal/posapi"
)

func TestEventsTroubleOnTheTill(t *testing.T) {
	for _, c := range []struct {
		st   *posapi.Events
		want string
	}{
		{nil, ""},
		{&posapi.Events{Connected: false, Backlog: 7999}, ""},
		{&posapi.Events{Backlog: 8000}, "broker unreachable, 8000 events waiting (dropped from 10000)"},
		{&posapi.Events{Backlog: 10000, Dropped: 3}, "3 events never reached the broker"},
	} {
		if got := eventsTrouble(c.st, 10000); (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}
