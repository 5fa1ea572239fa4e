//go:build !unix

package atomicdir

// lock does nothing where there is no flock: concurrent runs on such a
// platform are not serialised.
func lock(dir string) (unlock func(), err error) { return func() {}, nil }

func writable(dir string) error { return nil }
