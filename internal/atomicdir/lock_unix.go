//go:build unix

package atomicdir

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lock takes an exclusive flock on dir, waiting for any other holder. The
// lock goes with the descriptor, so a killed run releases it.
func lock(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// writable reports whether this process may create and remove entries in
// dir.
func writable(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return fmt.Errorf("%w: %v", ErrReadOnly, err)
	}
	return nil
}
