package main

import (
	"context"
	"fmt"
	"io"
)

// upgrade asks the running process to hand over to a new one, started
// from the binary at its path, and waits until that serves.
func (c *ctlClient) upgrade(ctx context.Context, args []string, stderr io.Writer) error {
	if err := want(args, 0, "upgrade", stderr); err != nil {
		return err
	}
	v, err := c.api.Upgrade(ctx)
	if err != nil || c.json {
		return err
	}
	fmt.Fprintln(c.out, v.Status)
	return nil
}
