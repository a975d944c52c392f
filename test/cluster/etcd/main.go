// etcd, built from the go.etcd.io/etcd/server/v3 module for kubegen's tests.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
