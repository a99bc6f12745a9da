// Command zeren runs the yearly accountability cycle: see README.md.
package main

import (
	"os"

	"zeren/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
