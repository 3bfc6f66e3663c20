// RUN: cotan-opt %s --split-input-file --cotan-gpu-tile-contractions | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-gpu-tile-contractions="tensor-cores=false" | FileCheck %s --check-prefix=CUDA-CORES
// RUN: not cotan-opt %s --cotan-gpu-tile-contractions="thread-tile=3 k-tile=1" 2>&1 | FileCheck %s --check-prefix=SIZES
// RUN: not cotan-opt %s --cotan-gpu-tile-contractions="tensor-core-tile=96" 2>&1 | FileCheck %s --check-prefix=MMA-TILE

// SIZES: error: cotan-gpu-tile-contractions needs positive sizes, at most 1024 threads, and (threads * thread-tile * k-tile) divisible by threads squared
// MMA-TILE: error: cotan-gpu-tile-contractions: tensor-core-tile must be 0 (by size), 64 or 128, got 96

// A 100x70 by 70x90 product: 2x2 blocks of 16x16 threads, each block a
// 64x64 output tile; 16-deep slices of both operands (plus one element of
// padding per row) in workgroup memory, between two barriers; each thread
// accumulates 4x4 outputs, multiply-adds free to become FMAs.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.if
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c2{{(_[0-9]+)?}}, %{{.*}} = %c2{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c16{{(_[0-9]+)?}}, %{{.*}} = %c16{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME: workgroup(%[[A:.*]] : memref<16x65xf32, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<16x65xf32, #gpu.address_space<workgroup>>)
// CHECK-COUNT-16: memref.load %{{.*}} : memref<100x90xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %c70 step %c16{{(_[0-9]+)?}} iter_args(
// CHECK-COUNT-4: memref.store %{{.*}}, %[[A]]
// CHECK-COUNT-4: memref.store %{{.*}}, %[[B]]
// CHECK: gpu.barrier
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store %{{.*}}, %{{.*}} : memref<100x90xf32>
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: memref<100x70xf32>, %b: memref<70x90xf32>, %c: memref<100x90xf32>) {
  linalg.matmul ins(%a, %b : memref<100x70xf32>, memref<70x90xf32>) outs(%c : memref<100x90xf32>)
  return
}

// -----

// The right operand read transposed (b[n][k], contiguous along k) and
// accumulated in f64; the slices hold each operand's own element type.
// CHECK-LABEL: func.func @transposed_rhs
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%{{.*}} : memref<16x65xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x65xf32, #gpu.address_space<workgroup>>)
// CHECK: arith.extf %{{.*}} fastmath<contract> : f32 to f64
// CHECK: gpu.terminator
// CHECK-NOT: linalg.generic
func.func @transposed_rhs(%a: memref<8x32xf32>, %b: memref<12x32xf32>, %c: memref<8x12xf64>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x32xf32>, memref<12x32xf32>) outs(%c : memref<8x12xf64>) {
  ^bb0(%x: f32, %y: f32, %acc: f64):
    %xe = arith.extf %x : f32 to f64
    %ye = arith.extf %y : f32 to f64
    %p = arith.mulf %xe, %ye : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  return
}

// -----

// A batched product: the batch is the grid's z dimension, and the block's
// z index selects each operand's batch.
// CHECK-LABEL: func.func @batched
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z:.*]]) in (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %[[C5]])
// CHECK: %[[BATCH:.*]] = arith.minui %[[Z]], %c4 : index
// CHECK: memref.load %{{.*}}[%[[BATCH]], %{{.*}}, %{{.*}}] : memref<5x30x20xi32>
// CHECK: arith.muli
// CHECK: arith.addi
func.func @batched(%a: memref<5x30x40xi32>, %b: memref<5x40x20xi32>, %c: memref<5x30x20xi32>) {
  linalg.batch_matmul ins(%a, %b : memref<5x30x40xi32>, memref<5x40x20xi32>) outs(%c : memref<5x30x20xi32>)
  return
}

// -----

// Sizes known only at run time: the grid is computed, and an empty output
// launches nothing (a grid of zero blocks is an error).
// CHECK-LABEL: func.func @dynamic
// CHECK-DAG: %[[M:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[HAS:.*]] = arith.andi
// CHECK: scf.if %[[HAS]] {
// CHECK: arith.ceildivui %{{.*}}, %c64
// CHECK: arith.ceildivui %[[M]], %c64
// CHECK: gpu.launch
func.func @dynamic(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// Not products this pass tiles: two contracted dimensions, and booleans.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
// CHECK: linalg.matmul
func.func @left_alone(%a: memref<4x5x6xf32>, %b: memref<5x6x7xf32>, %c: memref<4x7xf32>,
                      %p: memref<4x5xi1>, %q: memref<5x7xi1>, %r: memref<4x7xi1>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k, l) -> (m, k, l)>, affine_map<(m, n, k, l) -> (k, l, n)>, affine_map<(m, n, k, l) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<4x5x6xf32>, memref<5x6x7xf32>) outs(%c : memref<4x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p0 = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p0 : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%p, %q : memref<4x5xi1>, memref<5x7xi1>) outs(%r : memref<4x7xi1>)
  return
}

// -----

// bf16 operands accumulated in f32 run on tensor cores: 4 warps per 64x64
// tile, slices seen as halves (stores) and 32-bit pairs (fragment loads),
// rows padded to 40 halves; per 32-deep slice, two k-steps of 2x4
// mma.sync m16n8k16 per warp. Without tensor cores, the FMA kernel.
// CHECK-LABEL: func.func @bf16_on_tensor_cores
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c2{{(_[0-9]+)?}}, %{{.*}} = %c3{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME: workgroup(%[[A:.*]] : memref<5120xi8, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<5120xi8, #gpu.address_space<workgroup>>)
// CHECK-DAG: %[[AH:.*]] = memref.view %[[A]][%{{.*}}][] : memref<5120xi8, #gpu.address_space<workgroup>> to memref<64x40xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[AW:.*]] = memref.view %[[A]][%{{.*}}][] : memref<5120xi8, #gpu.address_space<workgroup>> to memref<64x20xi32, #gpu.address_space<workgroup>>
// CHECK: scf.for %{{.*}} = %{{.*}} to %c100 step %c32
// CHECK: memref.store %{{.*}}, %[[AH]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[AW]]
// CHECK-COUNT-16: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: gpu.barrier
// CUDA-CORES-LABEL: func.func @bf16_on_tensor_cores
// CUDA-CORES-NOT: nvvm.mma.sync
// CUDA-CORES: arith.extf
func.func @bf16_on_tensor_cores(%a: memref<150x100xbf16>, %b: memref<100x70xbf16>, %c: memref<150x70xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<150x100xbf16>, memref<100x70xbf16>) outs(%c : memref<150x70xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not the tensor-core pattern: f16 accumulated in f16 takes the FMA kernel.
// CHECK-LABEL: func.func @f16_accumulator
// CHECK-NOT: nvvm.mma.sync
// CHECK: workgroup(%{{.*}} : memref<16x65xf16, #gpu.address_space<workgroup>>
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.terminator
func.func @f16_accumulator(%a: memref<64x64xf16>, %b: memref<64x64xf16>, %c: memref<64x64xf16>) {
  linalg.matmul ins(%a, %b : memref<64x64xf16>, memref<64x64xf16>) outs(%c : memref<64x64xf16>)
  return
}

// -----

// From 2048x2048 outputs, 8 warps per 128x128 tile, each warp 4x4 mma
// tiles: 32 mma.sync per 32-deep slice.
// CHECK-LABEL: func.func @large_f16
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c16{{(_[0-9]+)?}}, %{{.*}} = %c16{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256{{(_[0-9]+)?}},
// CHECK-SAME: workgroup(%{{.*}} : memref<10240xi8, #gpu.address_space<workgroup>>, %{{.*}} : memref<10240xi8, #gpu.address_space<workgroup>>)
// CHECK-COUNT-32: nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.barrier
func.func @large_f16(%a: memref<2048x64xf16>, %b: memref<64x2048xf16>, %c: memref<2048x2048xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2048x64xf16>, memref<64x2048xf16>) outs(%c : memref<2048x2048xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
