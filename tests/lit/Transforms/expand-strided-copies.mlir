// RUN: cotan-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(cotan-expand-strided-copies))' | FileCheck %s

// A copy into a strided window of a larger buffer (padding) becomes a copy loop.
// CHECK: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @into_window
// CHECK: %[[VIEW:.*]] = memref.subview
// CHECK-NOT: memref.copy
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%arg0 : memref<4x4xf32>) outs(%[[VIEW]] : memref<4x4xf32, strided<[6, 1], offset: 7>>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @into_window(%src: memref<4x4xf32>, %dst: memref<6x6xf32>) {
  %view = memref.subview %dst[1, 1] [4, 4] [1, 1] : memref<6x6xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  memref.copy %src, %view : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  return
}

// -----

// A strided source (a column block) is expanded too.
// CHECK-LABEL: func.func @from_columns
// CHECK-NOT: memref.copy
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : memref<3x2xi32, strided<[5, 1], offset: 1>>) outs(%arg1 : memref<3x2xi32>)
func.func @from_columns(%src: memref<3x5xi32>, %dst: memref<3x2xi32>) {
  %view = memref.subview %src[0, 1] [3, 2] [1, 1] : memref<3x5xi32> to memref<3x2xi32, strided<[5, 1], offset: 1>>
  memref.copy %view, %dst : memref<3x2xi32, strided<[5, 1], offset: 1>> to memref<3x2xi32>
  return
}

// -----

// Contiguous copies (a whole row block is one run of memory) stay memcpys,
// as do dynamic ones with an identity layout and scalar ones.
// CHECK-LABEL: func.func @contiguous
// CHECK-COUNT-3: memref.copy
// CHECK-NOT: linalg.generic
func.func @contiguous(%src: memref<2x5xf32>, %dst: memref<4x5xf32>, %dyn: memref<?xf32>, %dyn2: memref<?xf32>,
                      %s: memref<f32>, %t: memref<f32>) {
  %rows = memref.subview %dst[2, 0] [2, 5] [1, 1] : memref<4x5xf32> to memref<2x5xf32, strided<[5, 1], offset: 10>>
  memref.copy %src, %rows : memref<2x5xf32> to memref<2x5xf32, strided<[5, 1], offset: 10>>
  memref.copy %dyn, %dyn2 : memref<?xf32> to memref<?xf32>
  memref.copy %s, %t : memref<f32> to memref<f32>
  return
}

// -----

// A strided copy with a dynamic (batch) dimension: a loop over the run-time
// size rather than the runtime's generic copy.
// CHECK-LABEL: func.func @dynamic_window
// CHECK-NOT: memref.copy
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0 : memref<?x4xf32>) outs(%{{.*}} : memref<?x4xf32, strided<[6, 1], offset: 1>>)
func.func @dynamic_window(%src: memref<?x4xf32>, %dst: memref<?x6xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %src, %c0 : memref<?x4xf32>
  %view = memref.subview %dst[0, 1] [%n, 4] [1, 1] : memref<?x6xf32> to memref<?x4xf32, strided<[6, 1], offset: 1>>
  memref.copy %src, %view : memref<?x4xf32> to memref<?x4xf32, strided<[6, 1], offset: 1>>
  return
}
