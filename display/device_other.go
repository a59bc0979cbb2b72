//go:build !unix

package display

// ownerGroup cannot tell on this system; callers fall back to the usual
// Linux group name.
func ownerGroup(string) (string, bool) { return "", false }
