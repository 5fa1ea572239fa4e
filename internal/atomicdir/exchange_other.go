//go:build !linux

package atomicdir

import "os"

// exchange swaps two directories with two renames where the platform has no
// atomic exchange. A crash between them leaves b missing and its old tree
// at a's name, which the next Replace removes; the new tree is then written
// again from scratch.
func exchange(a, b string) error {
	old := a + ".old"
	if err := os.Rename(b, old); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(old, b)
		return err
	}
	return os.Rename(old, a)
}
