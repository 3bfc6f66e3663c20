// RUN: cotan-opt %s --split-input-file --cotan-bool-buffers-as-bytes | FileCheck %s

// CHECK-LABEL: func.func private @helper(%arg0: memref<?xi8>, %arg1: memref<?xindex>)
// CHECK: %[[BYTE:.*]] = memref.load %arg0[%{{.*}}] : memref<?xi8>
// CHECK: %[[BIT:.*]] = arith.trunci %[[BYTE]] : i8 to i1
// CHECK: %[[NOT:.*]] = arith.xori %[[BIT]], %{{.*}} : i1
// CHECK: %[[EXT:.*]] = arith.extui %[[NOT]] : i1 to i8
// CHECK: memref.store %[[EXT]], %arg0[%{{.*}}] : memref<?xi8>
func.func private @helper(%flags: memref<?xi1>, %other: memref<?xindex>) {
  %c0 = arith.constant 0 : index
  %true = arith.constant true
  %b = memref.load %flags[%c0] : memref<?xi1>
  %n = arith.xori %b, %true : i1
  memref.store %n, %flags[%c0] : memref<?xi1>
  return
}

// CHECK-LABEL: func.func @caller
// CHECK: %[[A:.*]] = memref.alloc() : memref<2xi8>
// CHECK: %[[C:.*]] = memref.cast %[[A]] : memref<2xi8> to memref<?xi8>
// CHECK: call @helper(%[[C]], %{{.*}}) : (memref<?xi8>, memref<?xindex>) -> ()
// CHECK: memref.dealloc %[[A]] : memref<2xi8>
func.func @caller(%other: memref<?xindex>) {
  %a = memref.alloc() : memref<2xi1>
  %c = memref.cast %a : memref<2xi1> to memref<?xi1>
  call @helper(%c, %other) : (memref<?xi1>, memref<?xindex>) -> ()
  memref.dealloc %a : memref<2xi1>
  return
}

// -----

// Other buffers keep their types.
// CHECK-LABEL: func.func @untouched(%arg0: memref<4xf32>, %arg1: memref<4xi8>)
// CHECK: memref.load %arg0
// CHECK-SAME: memref<4xf32>
func.func @untouched(%x: memref<4xf32>, %b: memref<4xi8>) -> f32 {
  %c0 = arith.constant 0 : index
  %v = memref.load %x[%c0] : memref<4xf32>
  return %v : f32
}
