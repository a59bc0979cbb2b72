package powercut

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The testdata are posd's /proc/PID/status, smaps and smaps_rollup read in
// the rig's guests (Debian 12's 6.1 kernels) after 20 payments.
func readProc(t testing.TB, arch, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "proc", "posd-"+arch+"."+file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseProcOfPosdInTheGuests(t *testing.T) {
	for _, tc := range []struct {
		arch                                           string
		vmRSS, vmHWM, rssAnon, rssFile, binary, outbox int
	}{
		{"arm64", 15488, 15488, 6300, 9188, 9596, 136},
		{"armhf", 13868, 13868, 4212, 9656, 9684, 136},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			status := ParseStatusKiB(readProc(t, tc.arch, "status"))
			for field, want := range map[string]int{"VmRSS": tc.vmRSS, "VmHWM": tc.vmHWM, "RssAnon": tc.rssAnon, "RssFile": tc.rssFile, "RssShmem": 0} {
				if got, ok := status[field]; !ok || got != want {
					t.Errorf("%s = %d (present %v), want %d", field, got, ok, want)
				}
			}
			if _, ok := status["Name"]; ok {
				t.Error("Name (not a kB field) parsed as one")
			}
			smaps := readProc(t, tc.arch, "smaps")
			rss, anon := ParseSmaps(smaps, "Rss"), ParseSmaps(smaps, "Anonymous")
			if rss[guestPosd] != tc.binary || rss[guestOutbox] != tc.outbox {
				t.Errorf("binary %d kB, outbox %d kB; want %d, %d", rss[guestPosd], rss[guestOutbox], tc.binary, tc.outbox)
			}
			// The kernel's own sums over every mapping.
			rollup := readProc(t, tc.arch, "smaps_rollup")
			if got, want := sum(rss), ParseSmaps(rollup, "Rss")["[rollup]"]; got != want || want == 0 {
				t.Errorf("Rss of all mappings %d kB, smaps_rollup says %d", got, want)
			}
			if got, want := sum(anon), ParseSmaps(rollup, "Anonymous")["[rollup]"]; got != want || want == 0 {
				t.Errorf("Anonymous of all mappings %d kB, smaps_rollup says %d", got, want)
			}
		})
	}
}

// TestParseSmapsOfThisProcess maps 64 pages of a file, touches them all and
// finds exactly them resident in its own smaps.
func TestParseSmapsOfThisProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mapped file")
	const size = 64 << 12
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(data)
	var sink byte
	for i := 0; i < size; i += 4096 {
		sink += data[i]
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	rss := ParseSmaps(smaps, "Rss")
	if sum(rss) == 0 {
		t.Skip("/proc/self/smaps says nothing is resident: qemu-user writes its own")
	}
	if got := rss[path]; got != size/1024 {
		t.Errorf("Rss of the mapped file %d kB, want %d (every page touched; %d)", got, size/1024, sink)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if n := ParseStatusKiB(status)["VmRSS"]; n < size/1024 {
		t.Errorf("VmRSS %d kB, less than the mapped file", n)
	}
}

func FuzzParseProc(f *testing.F) {
	for _, arch := range []string{"arm64", "armhf"} {
		for _, file := range []string{"status", "smaps", "smaps_rollup"} {
			f.Add(readProc(f, arch, file))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, n := range ParseStatusKiB(data) {
			if n < 0 {
				t.Errorf("%s = %d", name, n)
			}
		}
		ParseSmaps(data, "Rss") // must not panic on any text
	})
}
