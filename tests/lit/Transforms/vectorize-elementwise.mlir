// RUN: cotan-opt %s --split-input-file --cotan-vectorize-elementwise="vector-bits=128 parallel-threshold=0" --canonicalize | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-vectorize-elementwise="vector-bits=128 parallel-threshold=64 chunk=32" --canonicalize | FileCheck %s --check-prefix=PAR
// RUN: cotan-opt %s --split-input-file --cotan-vectorize-elementwise="vector-bits=128 parallel-threshold=1000000" --canonicalize | FileCheck %s --check-prefix=SMALL

// Whole vectors in bounds, then one masked tail (70 = 17 * 4 + 2).
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @silu
// CHECK-SAME: (%[[X:.*]]: memref<70xf32>, %[[Y:.*]]: memref<70xf32>)
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : vector<4xf32>
// CHECK: scf.for %[[I:.*]] = %c0 to %c68 step %c4
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]][%[[I]]], %{{.*}} {in_bounds = [true]} : memref<70xf32>, vector<4xf32>
// CHECK: %[[E:.*]] = math.exp %{{.*}} : vector<4xf32>
// CHECK: arith.addf %[[E]], %[[ONE]] : vector<4xf32>
// CHECK: arith.cmpf ogt, %[[V]], %{{.*}} : vector<4xf32>
// CHECK: %[[R:.*]] = arith.select %{{.*}} : vector<4xi1>, vector<4xf32>
// CHECK: vector.transfer_write %[[R]], %[[Y]][%[[I]]] {in_bounds = [true]} : vector<4xf32>, memref<70xf32>
// CHECK: vector.transfer_read %[[X]][%c68], %{{.*}} : memref<70xf32>, vector<4xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[Y]][%c68] : vector<4xf32>, memref<70xf32>
// CHECK-NOT: linalg.generic
// Chunks of 32: three tasks; the last one (6 elements) ends on a tail.
// PAR-LABEL: func.func @silu
// PAR: scf.parallel (%{{.*}}) = (%c0) to (%c3) step (%c1)
// PAR: scf.for
// PAR: scf.if
// PAR: vector.transfer_write {{.*}} : vector<4xf32>, memref<70xf32>
// PAR: scf.reduce
func.func @silu(%x: memref<70xf32>, %y: memref<70xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<70xf32>) outs(%y : memref<70xf32>) {
  ^bb0(%a: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %a, %d : f32
    %p = arith.cmpf ogt, %a, %zero : f32
    %r = arith.select %p, %a, %s : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Operands broadcast along the rows are contiguous; one broadcast along the
// columns is read once per row and splat. Booleans (bytes) set the lanes:
// the widest element is 32 bits.
#in = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#col = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @broadcasts
// CHECK-SAME: (%[[A:.*]]: memref<3x8xf32>, %[[R:.*]]: memref<8xf32>, %[[C:.*]]: memref<3xf32>, %[[OUT:.*]]: memref<3x8xi8>)
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c3
// CHECK: scf.for %[[I:.*]] = %c0 to %c8 step %c4
// CHECK-DAG: vector.transfer_read %[[A]][%[[ROW]], %[[I]]]
// CHECK-DAG: vector.transfer_read %[[R]][%[[I]]]
// CHECK-DAG: %[[S:.*]] = memref.load %[[C]][%[[ROW]]] : memref<3xf32>
// CHECK-DAG: vector.broadcast %[[S]] : f32 to vector<4xf32>
// CHECK: %[[B:.*]] = arith.cmpf olt
// CHECK: %[[BYTE:.*]] = arith.extui %[[B]] : vector<4xi1> to vector<4xi8>
// CHECK: vector.transfer_write %[[BYTE]], %[[OUT]][%[[ROW]], %[[I]]] {in_bounds = [true]} : vector<4xi8>, memref<3x8xi8>
// CHECK-NOT: scf.if
// PAR-LABEL: func.func @broadcasts
// PAR-NOT: scf.parallel
func.func @broadcasts(%a: memref<3x8xf32>, %r: memref<8xf32>, %c: memref<3xf32>, %out: memref<3x8xi8>) {
  linalg.generic {indexing_maps = [#in, #row, #col, #in], iterator_types = ["parallel", "parallel"]}
      ins(%a, %r, %c : memref<3x8xf32>, memref<8xf32>, memref<3xf32>) outs(%out : memref<3x8xi8>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %o: i8):
    %s = arith.addf %x, %y : f32
    %b = arith.cmpf olt, %s, %z : f32
    %e = arith.extui %b : i1 to i8
    linalg.yield %e : i8
  }
  return
}

// -----

// Past the threshold, rows split into chunks of whole vectors over threads:
// 200 elements in chunks of 32 are 7 tasks; 200 is a multiple of the two
// f64 lanes, so there is no tail.
#id = affine_map<(d0) -> (d0)>
// PAR-LABEL: func.func @big
// PAR: scf.parallel (%[[T:.*]]) = (%c0) to (%c7) step (%c1)
// PAR: %[[START:.*]] = arith.muli %[[T]], %c32
// PAR: scf.for %{{.*}} = %[[START]] to %{{.*}} step %c2
// PAR: arith.mulf %{{.*}} : vector<2xf64>
// PAR-NOT: scf.if
// PAR: scf.reduce
// CHECK-LABEL: func.func @big
// CHECK-NOT: scf.parallel
// CHECK: arith.mulf %{{.*}} : vector<2xf64>
func.func @big(%x: memref<200xf64>, %y: memref<200xf64>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<200xf64>) outs(%y : memref<200xf64>) {
  ^bb0(%a: f64, %out: f64):
    %s = arith.mulf %a, %a : f64
    linalg.yield %s : f64
  }
  return
}

// -----

// An innermost reduction: a vector accumulator starting at the neutral
// element, the tail's missing lanes masked to it (the tail's condition and
// mask fold to constants here), one vector.reduction per row folded into
// the output.
#in = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @row_max
// CHECK-DAG: %[[NEUTRAL:.*]] = arith.constant dense<0xFF800000> : vector<4xf32>
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c3
// CHECK: %[[ACC:.*]] = scf.for %{{.*}} iter_args(%[[A:.*]] = %[[NEUTRAL]]) -> (vector<4xf32>)
// CHECK: %[[V:.*]] = vector.transfer_read
// CHECK: %[[E:.*]] = math.exp %[[V]]
// CHECK: arith.maximumf %[[E]], %[[A]] : vector<4xf32>
// CHECK: %[[MASK:.*]] = vector.constant_mask [2] : vector<4xi1>
// CHECK: %[[LAST:.*]] = arith.select %[[MASK]], %{{.*}}, %[[NEUTRAL]]
// CHECK: %[[TAIL:.*]] = arith.maximumf %[[LAST]], %[[ACC]] : vector<4xf32>
// CHECK: %[[R:.*]] = vector.reduction <maximumf>, %[[TAIL]] : vector<4xf32> into f32
// CHECK: %[[OLD:.*]] = memref.load %{{.*}}[%[[ROW]]] : memref<3xf32>
// CHECK: %[[NEW:.*]] = arith.maximumf %[[R]], %[[OLD]] : f32
// CHECK: memref.store %[[NEW]], %{{.*}}[%[[ROW]]]
func.func @row_max(%a: memref<3x70xf32>, %m: memref<3xf32>) {
  linalg.generic {indexing_maps = [#in, #red], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<3x70xf32>) outs(%m : memref<3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %e = math.exp %x : f32
    %r = arith.maximumf %e, %o : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A long reduction split over threads: each task stores its partial sum,
// then one loop folds them into the output in order.
#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
// PAR-LABEL: func.func @split_sum
// PAR: %[[PARTIALS:.*]] = memref.alloc() : memref<7xf32>
// PAR: scf.parallel (%[[T:.*]]) = (%c0) to (%c7) step (%c1)
// PAR: scf.for {{.*}} -> (vector<4xf32>)
// PAR: %[[R:.*]] = vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<4xf32> into f32
// PAR: memref.store %[[R]], %[[PARTIALS]][%[[T]]]
// PAR: scf.reduce
// PAR: %[[INIT:.*]] = memref.load %{{.*}}[] : memref<f32>
// PAR: %[[SUM:.*]] = scf.for %{{.*}} = %c0 to %c7 step %c1 iter_args(%[[S:.*]] = %[[INIT]]) -> (f32)
// PAR: %[[P:.*]] = memref.load %[[PARTIALS]]
// PAR: arith.addf %[[P]], %[[S]] fastmath<reassoc> : f32
// PAR: memref.store %[[SUM]], %{{.*}}[] : memref<f32>
// PAR: memref.dealloc %[[PARTIALS]]
// CHECK-LABEL: func.func @split_sum
// CHECK-NOT: scf.parallel
// CHECK: vector.reduction <add>
func.func @split_sum(%x: memref<200xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]}
      ins(%x : memref<200xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o fastmath<reassoc> : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// An outer reduction (column sums): the reduced loop runs in order inside
// each task, which reads, updates and writes its own vector of sums.
#in = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @column_sum
// CHECK: scf.for %[[R:.*]] = %c0 to %c8 step %c1
// CHECK: scf.for %[[I:.*]] = %c0 to %c64 step %c4
// CHECK: %[[X:.*]] = vector.transfer_read %{{.*}}[%[[R]], %[[I]]]
// CHECK: %[[S:.*]] = vector.transfer_read %[[OUT:.*]][%[[I]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[X]], %[[S]] : vector<4xf32>
// CHECK: vector.transfer_write %[[NEW]], %[[OUT]][%[[I]]]
// Split over threads, two chunks of 32 columns, each summing all 8 rows.
// PAR-LABEL: func.func @column_sum
// PAR: scf.parallel (%{{.*}}) = (%c0) to (%c2) step (%c1)
// PAR: scf.for %{{.*}} = %c0 to %c8 step %c1
// PAR: vector.transfer_write
func.func @column_sum(%a: memref<8x64xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#in, #col], iterator_types = ["reduction", "parallel"]}
      ins(%a : memref<8x64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.addf %x, %o : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Transposed reads (gathers), float sums that may not be reassociated,
// linalg.index and rows shorter than half a vector keep their scalar loops.
#in = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
#red = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: vector.transfer_read
func.func @left_alone(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %s: memref<8xf32>, %i: memref<8x8xi32>,
                      %n: memref<64x1xf32>, %m: memref<64x1xf32>) {
  linalg.generic {indexing_maps = [#t, #in], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#in, #red], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<8x8xf32>) outs(%s : memref<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.addf %x, %o : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#in], iterator_types = ["parallel", "parallel"]}
      outs(%i : memref<8x8xi32>) {
  ^bb0(%o: i32):
    %k = linalg.index 1 : index
    %c = arith.index_cast %k : index to i32
    linalg.yield %c : i32
  }
  linalg.generic {indexing_maps = [#in, #in], iterator_types = ["parallel", "parallel"]}
      ins(%n : memref<64x1xf32>) outs(%m : memref<64x1xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A dynamic number of rows (a symbolic batch) of static length: in
// parallel, tasks take groups of rows of about a chunk (one task for a
// small batch); sequentially, one loop over the rows.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: %[[N:.*]] = memref.dim %arg0, %c0 : memref<?x16xf32>
// CHECK: scf.for %[[ROW:.*]] = %c0 to %[[N]] step %c1
// CHECK: scf.for %[[COL:.*]] = %c0 to %c16 step %c4
// CHECK: %[[V:.*]] = vector.transfer_read %arg0[%[[ROW]], %[[COL]]]
// CHECK: math.exp %[[V]] : vector<4xf32>
// PAR-LABEL: func.func @dynamic_rows
// PAR: %[[N:.*]] = memref.dim %arg0, %c0 : memref<?x16xf32>
// PAR: %[[TASKS:.*]] = arith.ceildivui %[[N]], %c2 : index
// PAR: scf.parallel (%[[T:.*]]) = (%c0) to (%[[TASKS]])
// PAR: %[[FIRST:.*]] = arith.muli %[[T]], %c2
// PAR: %[[NEXT:.*]] = arith.addi %[[FIRST]], %c2
// PAR: %[[END:.*]] = arith.minui %[[NEXT]], %[[N]]
// PAR: scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c1
// PAR: math.exp %{{.*}} : vector<4xf32>
// A dynamic size counts as 1024 rows: 16384 elements stay sequential
// below the threshold.
// SMALL-LABEL: func.func @dynamic_rows
// SMALL-NOT: scf.parallel
// SMALL: math.exp %{{.*}} : vector<4xf32>
func.func @dynamic_rows(%x: memref<?x16xf32>, %y: memref<?x16xf32>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x16xf32>) outs(%y : memref<?x16xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}
