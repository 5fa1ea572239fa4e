package parallel

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		procs int
		n     int
	}{
		{"empty", 4, 0},
		{"one item", 4, 1},
		{"one CPU", 1, 50},
		{"more items than CPUs", 4, 50},
		{"more CPUs than items", 8, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			want := make([]string, tc.n)
			for i := range want {
				want[i] = fmt.Sprint(i * i)
			}
			got := Map(tc.n, func(i int) string { return fmt.Sprint(i * i) })
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Map (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDo(t *testing.T) {
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprintf("procs=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			var a, b string
			Do(func() { a = "a" }, func() { b = "b" })
			if a != "a" || b != "b" {
				t.Errorf("Do ran a=%q b=%q, want both", a, b)
			}
		})
	}
}
