package atomicdir

import "golang.org/x/sys/unix"

// exchange swaps two directories in one step: renameat2(RENAME_EXCHANGE)
// means no instant exists at which dir is missing or half-written.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
