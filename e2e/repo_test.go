package e2e

import (
	"os"
	"path/filepath"
)

func readRepoFile(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", rel))
}
