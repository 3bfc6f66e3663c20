// RUN: cotan-opt %s --split-input-file --cotan-tile-matmul="vector-bits=128 register-rows=3 tile-m=6 tile-n=16 tile-k=16 min-tasks=4" --canonicalize | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-tile-matmul="vector-bits=256 parallel=false min-tasks=1" | FileCheck %s --check-prefix=SERIAL

// Ragged edges: B's rows are packed with masked vector reads; A is read in
// place, rows past its edge clamped to the last one (their sums are never
// written back). A plain matrix's step offsets are the steps themselves.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @ragged
// CHECK-SAME: (%[[A:.*]]: memref<40x50xf32>, %[[B:.*]]: memref<50x70xf32>, %[[C:.*]]: memref<40x70xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[A]] to offset: [0], sizes: [2000], strides: [1]
// CHECK: %[[STEPS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<50xindex>
// CHECK: memref.store %[[STEP:.*]], %[[STEPS]][%[[STEP]]]
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c5)
// CHECK: %[[PB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x16x8xf32>
// CHECK: scf.for %[[SLICE:.*]] = %c0 to %c50 step %c16
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[B]][%{{.*}}, %{{.*}}], %{{.*}} : memref<50x70xf32>, vector<8xf32>
// CHECK: vector.store %[[ROW]], %[[PB]]
// CHECK: %[[CLAMPED:.*]] = arith.minsi %{{.*}}, %c39
// CHECK: vector.transfer_read %[[C]][%[[CLAMPED]], %{{.*}}]
// CHECK: %[[ROW0:.*]] = arith.muli %[[CLAMPED]], %c50
// CHECK: %[[ACC:.*]]:3 = scf.for %{{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: %[[BROW:.*]] = vector.load %[[PB]]
// CHECK: %[[OFF:.*]] = memref.load %[[STEPS]]
// CHECK: %[[AT:.*]] = arith.addi %[[ROW0]], %[[OFF]]
// CHECK: %[[A0:.*]] = memref.load %[[FLAT]][%[[AT]]]
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[A0]] : f32 to vector<8xf32>
// CHECK: vector.fma %[[SPLAT]], %[[BROW]], %{{.*}} : vector<8xf32>
// CHECK-COUNT-2: vector.fma
// CHECK: scf.yield
// CHECK: scf.if
// CHECK-NEXT: vector.transfer_write %[[ACC]]#0, %[[C]]
// CHECK: memref.dealloc %[[PB]]
// CHECK: memref.dealloc %[[STEPS]]
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

// Too small to pay for the kernel, not a multiply-accumulate, integer, or a
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

// -----

// An epilogue writing C in place (bias + relu): applied to each register
// row after the last k slice, with the bias read as one vector; earlier
// slices store the partial sums. The epilogue generic is gone.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
// CHECK-LABEL: func.func @bias_relu_epilogue
// CHECK-SAME: (%[[A:.*]]: memref<48x64xf32>, %[[B:.*]]: memref<64x16xf32>, %[[BIAS:.*]]: memref<16xf32>, %[[C:.*]]: memref<48x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[SLICE:.*]] = %c0 to %c64 step %c16
// CHECK: %[[LAST:.*]] = arith.cmpi eq, %{{.*}}, %c64 : index
// CHECK: %[[ACC:.*]]:3 = scf.for
// CHECK: scf.if %[[LAST]] {
// CHECK: %[[BV:.*]] = vector.transfer_read %[[BIAS]][%{{.*}}], %{{.*}} {in_bounds = [true]} : memref<16xf32>, vector<8xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]]#0, %[[BV]] : vector<8xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<8xf32>
// CHECK: vector.transfer_write %[[RELU]], %[[C]]
// CHECK: } else {
// CHECK: vector.transfer_write %[[ACC]]#0, %[[C]]
// CHECK-NOT: linalg.generic
func.func @bias_relu_epilogue(%A: memref<48x64xf32>, %B: memref<64x16xf32>, %bias: memref<16xf32>, %C: memref<48x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x16xf32>) outs(%C : memref<48x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C, %bias : memref<48x16xf32>, memref<16xf32>) outs(%C : memref<48x16xf32>) {
  ^bb0(%v: f32, %b: f32, %out: f32):
    %s = arith.addf %v, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A per-row scale (broadcast along the row) into a separate local buffer:
// fused, since C is freed right after.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (m)>
// CHECK-LABEL: func.func @row_scale_epilogue
// CHECK-NOT: linalg.generic
// CHECK: scf.if
// CHECK: %[[S:.*]] = memref.load %arg2[%{{.*}}] : memref<48xf32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[S]] : f32 to vector<8xf32>
// CHECK: arith.mulf %{{.*}}, %[[SPLAT]] : vector<8xf32>
// CHECK: vector.transfer_write %{{.*}}, %arg3
func.func @row_scale_epilogue(%A: memref<48x64xf32>, %B: memref<64x16xf32>, %scale: memref<48xf32>, %out: memref<48x16xf32>) {
  %C = memref.alloc() : memref<48x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x16xf32>) outs(%C : memref<48x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C, %scale : memref<48x16xf32>, memref<48xf32>) outs(%out : memref<48x16xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %r = arith.mulf %v, %s : f32
    linalg.yield %r : f32
  }
  memref.dealloc %C : memref<48x16xf32>
  return
}

// -----

// The epilogue's output allocated between the two is allocated before the
// matmul instead, so the fused write-back can store into it.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @epilogue_output_allocated_late
// CHECK: %[[C:.*]] = memref.alloc() : memref<48x16xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<48x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: math.exp %{{.*}} : vector<8xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[OUT]]
// CHECK: return %[[OUT]]
func.func @epilogue_output_allocated_late(%A: memref<48x64xf32>, %B: memref<64x16xf32>) -> memref<48x16xf32> {
  %C = memref.alloc() : memref<48x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x16xf32>) outs(%C : memref<48x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %out = memref.alloc() : memref<48x16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C : memref<48x16xf32>) outs(%out : memref<48x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %e = math.exp %v : f32
    linalg.yield %e : f32
  }
  memref.dealloc %C : memref<48x16xf32>
  return %out : memref<48x16xf32>
}

// -----

// Not fused: C is an argument that the next op reads without overwriting
// it, so C must keep the plain product; and a transposed read of C.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#t = affine_map<(m, n) -> (n, m)>
// CHECK-LABEL: func.func @not_epilogues
// CHECK-NOT: scf.if %{{.*}} {
// CHECK-COUNT-2: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
func.func @not_epilogues(%A: memref<48x64xf32>, %B: memref<64x48xf32>, %C: memref<48x48xf32>, %D: memref<48x48xf32>, %E: memref<48x48xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x48xf32>) outs(%C : memref<48x48xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C : memref<48x48xf32>) outs(%D : memref<48x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C : memref<48x48xf32>) outs(%E : memref<48x48xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A dynamic number of rows (a symbolic batch): the row chunks per task and
// the task count are computed from the run-time size, and the row edge is
// handled as a ragged one (clamped rows of A, guarded writes of C).
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[B:.*]]: memref<64x32xf32>, %[[C:.*]]: memref<?x32xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[M:.*]] = memref.dim %[[A]], %c0 : memref<?x64xf32>
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[A]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<?x64xf32> to memref<?xf32>
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %[[M]], %c6
// CHECK: %[[TASK_M:.*]] = arith.muli %{{.*}}, %c6
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[M]], %[[TASK_M]]
// CHECK: %[[TASKS:.*]] = arith.muli %[[CHUNKS]], %c2
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%[[TASKS]])
// CHECK: %[[LAST:.*]] = arith.subi %[[M]], %c1
// CHECK: arith.minsi %{{.*}}, %[[LAST]]
// CHECK: memref.load %[[FLAT]]
// CHECK: vector.fma
// CHECK: arith.cmpi ule, %{{.*}}, %[[LAST]]
// CHECK: scf.if
// CHECK: vector.transfer_write %{{.*}}, %[[C]]
func.func @dynamic_rows(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A convolution (rows (n, p), contraction (k, c), the input read at
// p * 2 + k * 3): A is read in place, not packed. Each contraction step's
// offset in the input (k * 3 * 8 + c) is tabulated once; each row's offset
// (n * 528 + p * 16) is computed for the register tile, whose rows are
// unflattened into (n, p) to address C.
#in = affine_map<(n, p, o, k, c) -> (n, p * 2 + k * 3, c)>
#w = affine_map<(n, p, o, k, c) -> (k, c, o)>
#out = affine_map<(n, p, o, k, c) -> (n, p, o)>
// CHECK-LABEL: func.func @convolution
// CHECK-SAME: (%[[X:.*]]: memref<4x66x8xf32>, %[[W:.*]]: memref<3x8x12xf32>, %[[Y:.*]]: memref<4x30x12xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [2112], strides: [1]
// CHECK: %[[STEPS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<24xindex>
// CHECK: scf.for %[[STEP:.*]] = %c0 to %c24 step %c1
// CHECK: %[[C:.*]] = arith.remui %[[STEP]], %c8
// CHECK: %[[K:.*]] = arith.divui %[[STEP]], %c8
// CHECK: %[[KOFF:.*]] = arith.muli %[[K]], %c24
// CHECK: %[[OFF:.*]] = arith.addi %[[KOFF]], %[[C]]
// CHECK: memref.store %[[OFF]], %[[STEPS]][%[[STEP]]]
// CHECK: scf.parallel
// CHECK-NOT: memref.alloc() {{.*}} : memref<{{.*}}x3xf32>
// CHECK: vector.transfer_read %[[W]]
// CHECK: %[[P:.*]] = arith.remui %[[ROW:.*]], %c30
// CHECK: %[[N:.*]] = arith.divui %[[ROW]], %c30
// CHECK: vector.transfer_read %[[Y]][%[[N]], %[[P]], %{{.*}}]
// CHECK: %[[NOFF:.*]] = arith.muli %[[N]], %c528
// CHECK: %[[POFF:.*]] = arith.muli %[[P]], %c16
// CHECK: %[[ROWOFF:.*]] = arith.addi %[[NOFF]], %[[POFF]]
// CHECK: scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1 iter_args
// CHECK: %[[AT:.*]] = arith.addi %{{.*}}, %[[I]]
// CHECK: %[[SOFF:.*]] = memref.load %[[STEPS]][%[[AT]]]
// CHECK: %[[ADDR:.*]] = arith.addi %[[ROWOFF]], %[[SOFF]]
// CHECK: %[[A:.*]] = memref.load %[[FLAT]][%[[ADDR]]]
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[A]]
// CHECK: vector.fma %[[SPLAT]]
// CHECK: vector.transfer_write %{{.*}}, %[[Y]][%[[N]], %[[P]], %{{.*}}]
// CHECK: memref.dealloc %[[STEPS]]
func.func @convolution(%x: memref<4x66x8xf32>, %w: memref<3x8x12xf32>, %y: memref<4x30x12xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<4x66x8xf32>, memref<3x8x12xf32>) outs(%y : memref<4x30x12xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A strided input view (a window of a larger buffer) is read in place at
// its own offset and strides, read from its metadata.
#in = affine_map<(n, p, o, k, c) -> (n, p + k, c)>
#w = affine_map<(n, p, o, k, c) -> (k, c, o)>
#out = affine_map<(n, p, o, k, c) -> (n, p, o)>
// CHECK-LABEL: func.func @convolution_of_view
// CHECK: %{{.*}}, %[[OFFSET:.*]], %{{.*}}:3, %[[STRIDES:.*]]:3 = memref.extract_strided_metadata %arg0
// CHECK: memref.reinterpret_cast %arg0 to offset: [0], sizes: [%{{.*}}], strides: [1]
// CHECK: arith.muli %{{.*}}, %[[STRIDES]]#1
// CHECK: arith.addi %[[OFFSET]]
func.func @convolution_of_view(%x: memref<?x40x16xf32, strided<[?, ?, 1], offset: ?>>, %w: memref<3x16x32xf32>, %y: memref<?x38x32xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<?x40x16xf32, strided<[?, ?, 1], offset: ?>>, memref<3x16x32xf32>) outs(%y : memref<?x38x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not a contraction the kernel reads in place: a constant term in the
// input's index (an offset the caller should have sliced) is left alone.
#in = affine_map<(n, p, o, k, c) -> (n, p + k + 1, c)>
#w = affine_map<(n, p, o, k, c) -> (k, c, o)>
#out = affine_map<(n, p, o, k, c) -> (n, p, o)>
// CHECK-LABEL: func.func @offset_window_left_alone
// CHECK: linalg.generic
func.func @offset_window_left_alone(%x: memref<8x40x16xf32>, %w: memref<3x16x32xf32>, %y: memref<8x37x32xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<8x40x16xf32>, memref<3x16x32xf32>) outs(%y : memref<8x37x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// C zero-filled just before: the fill goes, and the first slice's
// accumulators start at zero instead of reading C (later slices read the
// partial sums). With one slice for the whole contraction (the second run,
// where all of B fits), C is never read.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @zero_filled
// CHECK-NOT: linalg.fill
// CHECK: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK: scf.for %[[SLICE:.*]] = %c0 to %c64 step %c16
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[SLICE]], %c0
// CHECK: scf.if %[[FIRST]] -> (vector<8xf32>) {
// CHECK-NEXT: scf.yield %[[ZEROS]]
// CHECK-NEXT: } else {
// CHECK-NEXT: vector.transfer_read %arg2
// SERIAL-LABEL: func.func @zero_filled
// SERIAL-NOT: linalg.fill
// SERIAL-NOT: vector.transfer_read %arg2
// SERIAL: vector.fma
// SERIAL: vector.transfer_write {{.*}}, %arg2
func.func @zero_filled(%A: memref<48x64xf32>, %B: memref<64x16xf32>, %C: memref<48x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%C : memref<48x16xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x16xf32>) outs(%C : memref<48x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Kept: a fill with another value, and a zero fill that C is read after
// (by the copy) before the matmul accumulates onto it.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @fills_kept
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%arg2
// CHECK: scf.parallel
// CHECK-NOT: scf.if %{{.*}} -> (vector<8xf32>)
// CHECK: vector.transfer_read %arg2
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%arg3
// CHECK: memref.copy %arg3
// CHECK: scf.parallel
// CHECK-NOT: scf.if %{{.*}} -> (vector<8xf32>)
// CHECK: vector.transfer_read %arg3
func.func @fills_kept(%A: memref<48x64xf32>, %B: memref<64x16xf32>, %C: memref<48x16xf32>, %D: memref<48x16xf32>, %E: memref<48x16xf32>) {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%one : f32) outs(%C : memref<48x16xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x16xf32>) outs(%C : memref<48x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%D : memref<48x16xf32>)
  memref.copy %D, %E : memref<48x16xf32> to memref<48x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x16xf32>) outs(%D : memref<48x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not fused: the epilogue writes the matmul's own input A (bufferization
// reuses a dead input's buffer for an elementwise result), and the fused
// write-back would overwrite A's rows while other tiles still read them.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @epilogue_writes_input
// CHECK: scf.parallel
// CHECK: linalg.generic {{.*}} ins(%[[C:.*]] : memref<48x64xf32>) outs(%arg0 : memref<48x64xf32>)
func.func @epilogue_writes_input(%A: memref<48x64xf32>, %B: memref<64x64xf32>) {
  %C = memref.alloc() : memref<48x64xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x64xf32>) outs(%C : memref<48x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C : memref<48x64xf32>) outs(%A : memref<48x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  memref.dealloc %C : memref<48x64xf32>
  return
}

// -----

// Not fused: between the matmul and its bias add, the bias buffer is
// rewritten (bufferization reuses one broadcast buffer for two layers'
// biases, and the epilogue reads it through a subview). Run at the
// write-back, the epilogue would add the old bias.
#a = affine_map<(m, k, n) -> (m, k)>
#b = affine_map<(m, k, n) -> (k, n)>
#c = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
// CHECK-LABEL: func.func @epilogue_input_rewritten_in_between
// CHECK: scf.parallel
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : memref<64xf32>) outs(%[[BIAS:.*]] : memref<96x64xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[C:.*]], %{{.*}} : memref<48x64xf32>, memref<48x64xf32, strided<[64, 1], offset: 3072>>) outs(%[[C]] : memref<48x64xf32>)
func.func @epilogue_input_rewritten_in_between(%A: memref<48x64xf32>, %B: memref<64x64xf32>,
    %b: memref<64xf32>, %biases: memref<96x64xf32>, %C: memref<48x64xf32>) {
  %mine = memref.subview %biases[48, 0] [48, 64] [1, 1] : memref<96x64xf32> to memref<48x64xf32, strided<[64, 1], offset: 3072>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%A, %B : memref<48x64xf32>, memref<64x64xf32>) outs(%C : memref<48x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<64xf32>) outs(%biases : memref<96x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%C, %mine : memref<48x64xf32>, memref<48x64xf32, strided<[64, 1], offset: 3072>>) outs(%C : memref<48x64xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %r = arith.addf %v, %w : f32
    linalg.yield %r : f32
  }
  return
}
