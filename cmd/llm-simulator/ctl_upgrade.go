package main

import (
	"fmt"
	"io"
)

// upgrade asks the running process to hand over to a new one, started
// from the binary at its path, and waits until that serves.
func (c *ctlClient) upgrade(args []string, stderr io.Writer) error {
	if err := want(args, 0, "upgrade", stderr); err != nil {
		return err
	}
	var v struct {
		Status string `json:"status"`
	}
	if printed, err := c.get("POST", "/api/v1/upgrade", nil, &v); err != nil || printed {
		return err
	}
	fmt.Fprintln(c.out, v.Status)
	return nil
}
