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

// queueLen is the length of a KCP queue: a slice in v5.6.1, a ring buffer
// or heap with a Len method in newer versions.
func queueLen(v reflect.Value) int {
	if v.Kind() == reflect.Slice {
		return v.Len()
	}
	return int(v.MethodByName("Len").Call(nil)[0].Int())
}
