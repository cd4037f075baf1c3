package proxy

import (
	"net"

	"golang.org/x/sys/unix"
)

// inputPending reports bytes in c's socket that no read has taken yet:
// a request that has arrived, though the server's goroutine has not been
// scheduled to read it.
func inputPending(c net.Conn) bool {
	tcp := tcpConn(c)
	if tcp == nil {
		return false
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	_ = rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	return n > 0
}

// seesPendingInput says inputPending can look into a socket here.
const seesPendingInput = true
