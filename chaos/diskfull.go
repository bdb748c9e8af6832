package chaos

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// smallDisk is a small tmpfs volume for the gateway's SQLite database,
// which the fault suite fills up.
type smallDisk struct {
	dir    string
	filler string
}

// mountSmallDisk mounts a tmpfs of size bytes on dir. Fails when mounting
// is not permitted (not root, or a container without CAP_SYS_ADMIN).
func mountSmallDisk(dir string, size int64) (*smallDisk, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		return nil, fmt.Errorf("mount a tmpfs on %s: %w", dir, err)
	}
	return &smallDisk{dir: dir, filler: filepath.Join(dir, "filler")}, nil
}

// fill writes a file until the volume is full, and returns how many bytes
// it took.
func (d *smallDisk) fill() (int64, error) {
	f, err := os.OpenFile(d.filler, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var n int64
	for {
		w, err := f.Write(buf)
		n += int64(w)
		if errors.Is(err, syscall.ENOSPC) {
			// Fill the last bytes too.
			for _, size := range []int{4096, 512, 1} {
				for {
					if _, err := f.Write(buf[:size]); err != nil {
						break
					}
					n += int64(size)
				}
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// free removes what fill wrote.
func (d *smallDisk) free() error { return os.Remove(d.filler) }

// unmount unmounts the volume (lazily, should something still hold it).
func (d *smallDisk) unmount() error {
	return syscall.Unmount(d.dir, syscall.MNT_DETACH)
}
