// RUN: cotan-opt %s --split-input-file --cotan-gpu-tile-parallel-loops="block-size=128" | FileCheck %s
// RUN: not cotan-opt %s --cotan-gpu-tile-parallel-loops="block-size=0" 2>&1 | FileCheck %s --check-prefix=ZERO

// ZERO: error: block-size must be positive, got 0

// The innermost dimension is split into blocks of 128 threads, the others
// into blocks of 1; the tile sizes are folded to constants.
// CHECK-LABEL: func.func @two_dims
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step (%[[C1]], %[[C128]])
// CHECK: %[[N:.*]] = affine.min
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%[[C1]], %[[N]])
func.func @two_dims(%x: memref<6x300xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %c300 = arith.constant 300 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c6, %c300) step (%c1, %c1) {
    memref.store %zero, %x[%i, %j] : memref<6x300xf32>
  }
  return
}

// -----

// A sequential nest outside any parallel loop (a full reduction) goes in
// a one-iteration parallel loop: a one-thread kernel.
// CHECK-LABEL: func.func @full_sum
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// CHECK-NEXT: scf.for
func.func @full_sum(%x: memref<100xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  scf.for %i = %c0 to %c100 step %c1 {
    %v = memref.load %x[%i] : memref<100xf32>
    %a = memref.load %s[] : memref<f32>
    %t = arith.addf %a, %v : f32
    memref.store %t, %s[] : memref<f32>
  }
  return
}

