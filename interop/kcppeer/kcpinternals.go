package main

import (
	"encoding/hex"
	"reflect"
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"
)

// kcp-go exposes stream mode and mss only through UDPSession; the vectors
// drive a bare KCP, so reach the two fields by reflection (read/write only).
func field(k *kcp.KCP, name string) reflect.Value {
	v := reflect.ValueOf(k).Elem().FieldByName(name)
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func setStream(k *kcp.KCP)    { field(k, "stream").SetInt(1) }
func mssOf(k *kcp.KCP) uint32 { return uint32(field(k, "mss").Uint()) }
func unhex(s string) []byte   { b, _ := hex.DecodeString(s); return b }
