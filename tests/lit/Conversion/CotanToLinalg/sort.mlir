// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// cotan.sort becomes a stable merge sort on buffers, one line at a time:
// (key, position) records in two sets of line buffers, insertion-sorted in
// runs of 16, merged pass by pass between the two sets; then the keys are
// stored and the payloads gathered through the sorted positions.

// CHECK-LABEL: func.func @sort_rows
// CHECK-SAME: (%[[X:.*]]: tensor<3x5xf32>, %[[P:.*]]: tensor<3x5xi32>)
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<3x5xf32> to memref<3x5xf32>
// CHECK: %[[XS:.*]] = memref.alloc() : memref<3x5xf32>
// CHECK: %[[PB:.*]] = bufferization.to_buffer %[[P]] read_only : tensor<3x5xi32> to memref<3x5xi32>
// CHECK: %[[PS:.*]] = memref.alloc() : memref<3x5xi32>
// CHECK: %[[POS_A:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[KEY_A:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[POS_B:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[KEY_B:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for %[[ROW:.*]] =
// CHECK: memref.load %[[XB]][%[[ROW]], %{{.*}}] : memref<3x5xf32>
// CHECK: memref.store %{{.*}}, %[[KEY_A]]
// Insertion: an element moves left while it strictly precedes its
// neighbour (a NaN key sorts after every number).
// CHECK: %{{.*}} = arith.constant 16 : index
// CHECK: scf.while
// CHECK: %[[LEFT:.*]] = memref.load %[[KEY_A]]
// CHECK: arith.cmpf olt, %{{.*}}, %[[LEFT]] : f32
// CHECK: arith.cmpf uno, %[[LEFT]], %[[LEFT]] : f32
// CHECK: scf.condition
// Merge passes, A to B then B to A, while runs are shorter than the line;
// the right run goes first only when strictly smaller (stable).
// CHECK: scf.while (%[[WIDTH:.*]] = %{{.*}}) : (index) -> index
// CHECK: arith.cmpi ult, %[[WIDTH]]
// CHECK: scf.for {{.*}} iter_args
// CHECK: memref.load %[[KEY_A]]
// CHECK: memref.store %{{.*}}, %[[KEY_B]]
// CHECK: memref.store %{{.*}}, %[[POS_B]]
// CHECK: scf.for {{.*}} iter_args
// CHECK: memref.load %[[KEY_B]]
// CHECK: memref.store %{{.*}}, %[[KEY_A]]
// CHECK: memref.store %{{.*}}, %[[POS_A]]
// The keys come from the line buffer, the payload through the positions.
// CHECK: %[[FROM:.*]] = memref.load %[[POS_A]]
// CHECK: memref.load %[[KEY_A]]
// CHECK: memref.store %{{.*}}, %[[XS]][%[[ROW]]
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
// CHECK: scf.while
// CHECK: %[[A:.*]] = memref.load %[[FIRST:.*]][%{{.*}}] : memref<?xi32>
// CHECK: %[[B:.*]] = memref.load %[[SECOND:.*]][%{{.*}}] : memref<?xi32>
// CHECK: arith.cmpi slt, %[[B]], %{{.*}} : i32
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
