// RUN: cotan-opt %s --split-input-file --cotan-tile-matmul="vector-bits=128 register-rows=3 tile-m=6 tile-n=16 tile-k=16 min-tasks=4" --canonicalize | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-tile-matmul="vector-bits=256 parallel=false min-tasks=1" | FileCheck %s --check-prefix=SERIAL

// Ragged edges: B's rows are packed with masked vector reads, A's with
// clamped loads, and rows of C past the edge are never written.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @ragged
// CHECK-SAME: (%[[A:.*]]: memref<40x50xf32>, %[[B:.*]]: memref<50x70xf32>, %[[C:.*]]: memref<40x70xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c5)
// CHECK-DAG: %[[PA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x16x3xf32>
// CHECK-DAG: %[[PB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x16x8xf32>
// CHECK: scf.for %[[SLICE:.*]] = %c0 to %c50 step %c16
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[B]][%{{.*}}, %{{.*}}], %{{.*}} : memref<50x70xf32>, vector<8xf32>
// CHECK: vector.store %[[ROW]], %[[PB]]
// CHECK: %[[CLAMPED:.*]] = arith.minsi %{{.*}}, %c39
// CHECK: memref.load %[[A]][%[[CLAMPED]], %{{.*}}]
// CHECK: arith.select
// CHECK: memref.store %{{.*}}, %[[PA]]
// CHECK: vector.transfer_read %[[C]]
// CHECK: %[[ACC:.*]]:3 = scf.for %{{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: %[[BROW:.*]] = vector.load %[[PB]]
// CHECK: %[[A0:.*]] = memref.load %[[PA]]
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[A0]] : f32 to vector<8xf32>
// CHECK: vector.fma %[[SPLAT]], %[[BROW]], %{{.*}} : vector<8xf32>
// CHECK-COUNT-2: vector.fma
// CHECK: scf.yield
// CHECK: scf.if
// CHECK-NEXT: vector.transfer_write %[[ACC]]#0, %[[C]]
// CHECK-DAG: memref.dealloc %[[PA]]
// CHECK-DAG: memref.dealloc %[[PB]]
// SERIAL-LABEL: func.func @ragged
// SERIAL-NOT: scf.parallel
// SERIAL: scf.for
// SERIAL: vector.fma {{.*}} : vector<16xf32>
func.func @ragged(%A: memref<40x50xf32>, %B: memref<50x70xf32>, %C: memref<40x70xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<40x50xf32>, memref<50x70xf32>) outs(%C : memref<40x70xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Exact multiples of the tiles: no bounds checks at all. One column block,
// so the 48 rows split into four tasks (min-tasks=4) of two 6-row blocks.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @exact
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c4)
// CHECK-NOT: arith.select
// CHECK-NOT: scf.if
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true]} : memref<64x16xf64>, vector<4xf64>
// CHECK: vector.fma {{.*}} : vector<4xf64>
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<4xf64>, memref<48x16xf64>
func.func @exact(%A: memref<48x64xf64>, %B: memref<64x16xf64>, %C: memref<48x16xf64>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf64>, memref<64x16xf64>) outs(%C : memref<48x16xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %y, %x : f64
    %s = arith.addf %p, %acc : f64
    linalg.yield %s : f64
  }
  return
}

// -----

// B stored transposed (n, k): its panels are packed element by element,
// walking k, B's contiguous dimension. Batch dimensions become tasks.
#a = affine_map<(b, m, k, n) -> (b, m, k)>
#b = affine_map<(b, m, k, n) -> (b, n, k)>
#c = affine_map<(b, m, k, n) -> (b, m, n)>
// CHECK-LABEL: func.func @batched_transposed
// CHECK-SAME: %[[B:[^:]*]]: memref<3x32x64xf32>
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c6)
// CHECK-NOT: vector.transfer_read %[[B]]
// CHECK: memref.load %[[B]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<3x32x64xf32>
// CHECK: vector.fma
func.func @batched_transposed(%A: memref<3x40x64xf32>, %B: memref<3x32x64xf32>, %C: memref<3x40x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<3x40x64xf32>, memref<3x32x64xf32>) outs(%C : memref<3x40x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Too small to pay for packing, not a multiply-accumulate, integer, or a
// result whose rows are the n loop: left alone.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#ct = affine_map<(m, k, n) -> (n, m)>
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: vector.fma
func.func @left_alone(%A: memref<8x8xf32>, %B: memref<8x8xf32>, %C: memref<8x8xf32>,
                      %X: memref<64x64xf32>, %Y: memref<64x64xf32>, %Z: memref<64x64xf32>,
                      %I: memref<64x64xi32>, %J: memref<64x64xi32>, %K: memref<64x64xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<8x8xf32>, memref<8x8xf32>) outs(%C : memref<8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%X, %Y : memref<64x64xf32>, memref<64x64xf32>) outs(%Z : memref<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%I, %J : memref<64x64xi32>, memref<64x64xi32>) outs(%K : memref<64x64xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  linalg.generic {indexing_maps = [#a, #b, #ct], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%X, %Y : memref<64x64xf32>, memref<64x64xf32>) outs(%Z : memref<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
