// Package smallfile reads the small local files a configuration names
// (PEM keys, key sets, ini $__file{} values), refusing any over 1 MiB so a
// wrong path cannot make the process read without bound.
package smallfile

import (
	"fmt"
	"io"
	"os"
)

// MaxBytes is the largest file Read accepts.
const MaxBytes = 1 << 20

// Read returns the content of the file at path. It fails with the
// [os.Open] or read error, or when the file is larger than MaxBytes.
func Read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	return data, nil
}
