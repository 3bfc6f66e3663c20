// RUN: cotan-opt %s --split-input-file --cotan-gpu-block-reductions | FileCheck %s
// RUN: not cotan-opt %s --cotan-gpu-block-reductions="threads=96" 2>&1 | FileCheck %s --check-prefix=THREADS

// THREADS: error: cotan-gpu-block-reductions needs a power of two from 2 to 1024 threads, got 96

// Row sums: a block of 256 threads per row, striding through it together;
// their partial sums meet in a tree through workgroup memory, and the
// first thread adds the total to the output's initial value.
// CHECK-LABEL: func.func @row_sums
// CHECK: gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c300{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME: workgroup(%[[TREE:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[PARTIAL:.*]] = scf.for %[[J:.*]] = %[[T]] to %c500{{(_[0-9]+)?}} step %c256{{(_[0-9]+)?}} iter_args(%[[ACC:.*]] = %cst{{(_[0-9]+)?}}) -> (f32)
// CHECK: %[[X:.*]] = memref.load %{{.*}}[%[[ROW]], %[[J]]]
// CHECK: arith.addf %[[X]], %[[ACC]]
// CHECK: memref.store %[[PARTIAL]], %[[TREE]][%[[T]]]
// CHECK: gpu.barrier
// CHECK: arith.cmpi ult, %[[T]], %c128{{(_[0-9]+)?}}
// CHECK: gpu.barrier
// CHECK: arith.cmpi ult, %[[T]], %c1{{(_[0-9]+)?}} :
// CHECK: scf.if
// CHECK: %[[TOTAL:.*]] = memref.load %[[TREE]][%c0{{(_[0-9]+)?}}
// CHECK: %[[INIT:.*]] = memref.load %{{.*}}[%[[ROW]]] : memref<300xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[TOTAL]], %[[INIT]]
// CHECK: memref.store %[[SUM]], %{{.*}}[%[[ROW]]] : memref<300xf32>
// CHECK-NOT: linalg.generic
func.func @row_sums(%x: memref<300x500xf32>, %out: memref<300xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<300x500xf32>) outs(%out : memref<300xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The maximum of a million elements: 245 blocks each reduce 4096 or more
// into a partial (starting from -inf), then one block combines the
// partials and folds them into the output.
// CHECK-LABEL: func.func @total_max
// CHECK: %[[PARTIALS:.*]] = memref.alloc() : memref<1x245xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %[[SLICE:.*]], %{{.*}}) in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c245{{(_[0-9]+)?}}
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: scf.for
// CHECK: arith.maximumf
// CHECK: memref.store %{{.*}}, %[[PARTIALS]][%{{.*}}, %[[SLICE]]]
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %{{.*}} to %c245{{(_[0-9]+)?}}
// CHECK: memref.load %[[PARTIALS]]
// CHECK: memref.dealloc %[[PARTIALS]]
func.func @total_max(%x: memref<1000x1000xf32>, %out: memref<f32>) {
  linalg.reduce ins(%x : memref<1000x1000xf32>) outs(%out : memref<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  return
}

// -----

// A body that reads its position: linalg.index becomes the loop index.
// CHECK-LABEL: func.func @weighted
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c128{{(_[0-9]+)?}}
// CHECK: arith.index_cast %[[J]] : index to i32
// CHECK-NOT: linalg.index
func.func @weighted(%x: memref<4x128xi32>, %out: memref<4xi32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x128xi32>) outs(%out : memref<4xi32>) {
  ^bb0(%in: i32, %acc: i32):
    %j = linalg.index 1 : index
    %w = arith.index_cast %j : index to i32
    %p = arith.muli %in, %w : i32
    %s = arith.addi %p, %acc : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// Left to one thread per output: many outputs each reducing a strided
// column, a short reduction, and a body with two results (an argmax).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @left_alone(%x: memref<300x5000xf32>, %cols: memref<5000xf32>, %y: memref<4096x16xf32>,
                      %rows: memref<4096xf32>, %best: memref<5000xi64>) {
  linalg.generic {indexing_maps = [affine_map<(j, i) -> (i, j)>, affine_map<(j, i) -> (j)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<300x5000xf32>) outs(%cols : memref<5000xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %in, %acc : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%y : memref<4096x16xf32>) outs(%rows : memref<4096xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(j, i) -> (i, j)>, affine_map<(j, i) -> (j)>, affine_map<(j, i) -> (j)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<300x5000xf32>) outs(%cols, %best : memref<5000xf32>, memref<5000xi64>) {
  ^bb0(%in: f32, %acc: f32, %idx: i64):
    %i = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i64
    %better = arith.cmpf ogt, %in, %acc : f32
    %m = arith.select %better, %in, %acc : f32
    %k = arith.select %better, %ii, %idx : i64
    linalg.yield %m, %k : f32, i64
  }
  return
}
