// RUN: cotan-opt %s --split-input-file --cotan-distinct-results | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-distinct-results --buffer-results-to-out-params="hoist-static-allocs=true modify-public-functions=true" | FileCheck %s --check-prefix=OUT

// One buffer returned twice (CSE merged x + 1 and x + 1), and an argument
// returned twice: each second result is a copy in a buffer of its own, so
// each result can become an out-parameter of its own.
// CHECK-LABEL: func.func @returned_twice
// CHECK: %[[SUM:.*]] = memref.alloc() : memref<3xf32>
// CHECK: %[[COPY:.*]] = memref.alloc() : memref<3xf32>
// CHECK: memref.copy %[[SUM]], %[[COPY]]
// CHECK: %[[XCOPY:.*]] = memref.alloc() : memref<3xf32>
// CHECK: memref.copy %arg0, %[[XCOPY]]
// CHECK: return %[[SUM]], %[[COPY]], %arg0, %[[XCOPY]]
// OUT-LABEL: func.func @returned_twice
// OUT-SAME: (%arg0: memref<3xf32>, %[[OUT0:.*]]: memref<3xf32>, %[[OUT1:.*]]: memref<3xf32>, %{{.*}}: memref<3xf32>, %{{.*}}: memref<3xf32>)
// OUT: memref.copy %[[OUT0]], %[[OUT1]]
func.func @returned_twice(%x: memref<3xf32>) -> (memref<3xf32>, memref<3xf32>, memref<3xf32>, memref<3xf32>) {
  %sum = memref.alloc() : memref<3xf32>
  return %sum, %sum, %x, %x : memref<3xf32>, memref<3xf32>, memref<3xf32>, memref<3xf32>
}

// -----

// A dynamic size is read from the returned buffer.
// CHECK-LABEL: func.func @dynamic_size
// CHECK: %[[N:.*]] = memref.dim %[[BUF:.*]], %c0
// CHECK: %[[COPY:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK: memref.copy %[[BUF]], %[[COPY]]
// CHECK: return %[[BUF]], %[[COPY]]
func.func @dynamic_size(%n: index) -> (memref<?xf32>, memref<?xf32>) {
  %buf = memref.alloc(%n) : memref<?xf32>
  return %buf, %buf : memref<?xf32>, memref<?xf32>
}

// -----

// Distinct results are left alone.
// CHECK-LABEL: func.func @distinct
// CHECK-NOT: memref.copy
func.func @distinct(%x: memref<3xf32>) -> (memref<3xf32>, memref<3xf32>) {
  %a = memref.alloc() : memref<3xf32>
  return %a, %x : memref<3xf32>, memref<3xf32>
}
