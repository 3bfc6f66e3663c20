// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// cotan.sort becomes a stable merge sort of positions on buffers, one line
// at a time, then a gather of every input through the sorted positions.

// CHECK-LABEL: func.func @sort_rows
// CHECK-SAME: (%[[X:.*]]: tensor<3x5xf32>, %[[P:.*]]: tensor<3x5xi32>)
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<3x5xf32> to memref<3x5xf32>
// CHECK: %[[XS:.*]] = memref.alloc() : memref<3x5xf32>
// CHECK: %[[PB:.*]] = bufferization.to_buffer %[[P]] read_only : tensor<3x5xi32> to memref<3x5xi32>
// CHECK: %[[PS:.*]] = memref.alloc() : memref<3x5xi32>
// CHECK: %[[PERM:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[SCRATCH:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: scf.for %[[ROW:.*]] = 
// Runs of `width` positions merge pairwise while width < n.
// CHECK: scf.while (%[[WIDTH:.*]] = %{{.*}}) : (index) -> index
// CHECK: arith.cmpi ult, %[[WIDTH]]
// The right run goes first only when its key is strictly smaller (stable);
// a NaN key sorts after every number.
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[R:.*]] = memref.load %[[XB]][%[[ROW]], %{{.*}}] : memref<3x5xf32>
// CHECK: %[[L:.*]] = memref.load %[[XB]][%[[ROW]], %{{.*}}] : memref<3x5xf32>
// CHECK: arith.cmpf olt, %[[R]], %[[L]] : f32
// CHECK: arith.cmpf ord, %[[R]], %[[R]] : f32
// CHECK: arith.cmpf uno, %[[L]], %[[L]] : f32
// CHECK: memref.store %{{.*}}, %[[SCRATCH]]
// CHECK: memref.copy %[[SCRATCH]], %[[PERM]]
// The gather moves every input once.
// CHECK: %[[FROM:.*]] = memref.load %[[PERM]]
// CHECK: memref.load %[[XB]][%[[ROW]], %[[FROM]]]
// CHECK: memref.store %{{.*}}, %[[XS]]
// CHECK: memref.load %[[PB]][%[[ROW]], %[[FROM]]]
// CHECK: memref.store %{{.*}}, %[[PS]]
// CHECK: bufferization.to_tensor %[[XS]] restrict writable
// CHECK: bufferization.to_tensor %[[PS]] restrict writable
func.func @sort_rows(%x: tensor<3x5xf32>, %p: tensor<3x5xi32>) -> (tensor<3x5xf32>, tensor<3x5xi32>) {
  %0:2 = cotan.sort %x, %p dim = 1 keys = 1 : tensor<3x5xf32>, tensor<3x5xi32>
  return %0#0, %0#1 : tensor<3x5xf32>, tensor<3x5xi32>
}

// -----

// Two keys compare lexicographically: the second only breaks ties of the
// first. Descending swaps the operands of each comparison. Integers compare
// signed.
// CHECK-LABEL: func.func @two_keys_descending
// CHECK: %[[A1:.*]] = memref.load %{{.*}} : memref<6xi32>
// CHECK: %[[A0:.*]] = memref.load %{{.*}} : memref<6xi32>
// CHECK: arith.cmpi slt, %[[A0]], %[[A1]] : i32
// CHECK: memref.load %{{.*}} : memref<6xi32>
// CHECK: memref.load %{{.*}} : memref<6xi32>
// CHECK: %[[BEFORE:.*]] = arith.cmpi slt
// CHECK: %[[AFTER:.*]] = arith.cmpi slt
// CHECK: %[[NOT_AFTER:.*]] = arith.xori %[[AFTER]], %true
// CHECK: arith.andi %[[NOT_AFTER]]
// CHECK: arith.ori %[[BEFORE]]
func.func @two_keys_descending(%a: tensor<6xi32>, %b: tensor<6xi32>) -> tensor<6xi32> {
  %0:2 = cotan.sort %a, %b dim = 0 keys = 2 descending : tensor<6xi32>, tensor<6xi32>
  return %0#1 : tensor<6xi32>
}

// -----

// Booleans sort as their stored bytes.
// CHECK-LABEL: func.func @sort_bools
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<4xi8> to memref<4xi8>
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i8
func.func @sort_bools(%b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = cotan.sort %b dim = 0 keys = 1 : tensor<4xi1>
  return %0 : tensor<4xi1>
}
