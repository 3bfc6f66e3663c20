// RUN: cotan-opt %s --split-input-file --cotan-gpu-device-memory --verify-diagnostics | FileCheck %s

// Buffers a kernel sees are allocated, copied and freed on the device; a
// scalar the host reads comes back through a one-element host buffer.
// CHECK-LABEL: func.func @device_buffers
// CHECK-SAME: (%[[X:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<8xf32>, %[[S:.*]]: memref<f32>)
// CHECK: %[[T:.*]] = gpu.alloc () : memref<8xf32>
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: gpu.memcpy %[[OUT]], %[[T]] : memref<8xf32>, memref<8xf32>
// CHECK: %[[HOST:.*]] = memref.alloca() : memref<1xf32>
// CHECK: %[[ELEMENT:.*]] = memref.subview %[[T]][%{{.*}}] [1] [1]
// CHECK: gpu.memcpy %[[HOST]], %[[ELEMENT]]
// CHECK: %[[V:.*]] = memref.load %[[HOST]][%{{.*}}] : memref<1xf32>
// CHECK: %[[SCALAR:.*]] = memref.alloca() : memref<f32>
// CHECK: memref.store %[[V]], %[[SCALAR]][] : memref<f32>
// CHECK: gpu.memcpy %[[S]], %[[SCALAR]] : memref<f32>, memref<f32>
// CHECK: gpu.dealloc %[[T]] : memref<8xf32>
func.func @device_buffers(%x: memref<8xf32>, %out: memref<8xf32>, %s: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %t = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<8xf32>
    memref.store %v, %t[%tx] : memref<8xf32>
    gpu.terminator
  }
  memref.copy %t, %out : memref<8xf32> to memref<8xf32>
  %third = memref.load %t[%c3] : memref<8xf32>
  memref.store %third, %s[] : memref<f32>
  memref.dealloc %t : memref<8xf32>
  return
}

// -----

// A buffer only the host touches stays a host allocation.
// CHECK-LABEL: func.func @host_flags
// CHECK: memref.alloc() : memref<2xi8>
// CHECK-NOT: gpu.
func.func @host_flags() -> i8 {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i8
  %flags = memref.alloc() : memref<2xi8>
  memref.store %one, %flags[%c0] : memref<2xi8>
  %v = memref.load %flags[%c0] : memref<2xi8>
  memref.dealloc %flags : memref<2xi8>
  return %v : i8
}

// -----

// A constant a kernel reads is copied to the device and freed at the end
// of its block.
// CHECK-LABEL: func.func @constant
// CHECK: %[[G:.*]] = memref.get_global @table : memref<4xf32>
// CHECK: %[[D:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[D]], %[[G]]
// CHECK: gpu.launch
// CHECK: memref.load %[[D]]
// CHECK: gpu.dealloc %[[D]]
// CHECK-NEXT: return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @constant(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %g = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    memref.store %v, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

func.func private @cotan_callback_0(memref<3xf32>)
func.func @host_call(%x: memref<3xf32>) {
  // expected-error@+1 {{'cotan_callback_0' runs on the host and cannot be called from a GPU program}}
  call @cotan_callback_0(%x) : (memref<3xf32>) -> ()
  return
}
