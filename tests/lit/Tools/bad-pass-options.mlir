// Out-of-range pass options are reported as errors before anything runs;
// they never reach the code generators (where a negative tile size or an
// empty chunk would be a crash).
// RUN: not cotan-opt %s --cotan-tile-matmul="tile-k=-5" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not cotan-opt %s --cotan-tile-matmul="register-rows=-1" 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not cotan-opt %s --cotan-vectorize-elementwise="chunk=0" 2>&1 | FileCheck %s --check-prefix=CHUNK
// RUN: not cotan-opt %s --cotan-vectorize-elementwise="parallel-threshold=-3" 2>&1 | FileCheck %s --check-prefix=THRESHOLD
// RUN: not cotan-opt %s --cotan-cpu-pipeline="fusion=maybe" 2>&1 | FileCheck %s --check-prefix=BOOL

// TILE: error: cotan-tile-matmul: tile-k must be positive (or 0 for the default), got -5
// ROWS: error: cotan-tile-matmul: register-rows must be positive (or 0 for the default), got -1
// CHUNK: error: cotan-vectorize-elementwise: chunk must be positive, got 0
// THRESHOLD: error: cotan-vectorize-elementwise: parallel-threshold must be 0 (never) or positive, got -3
// BOOL: for the --fusion option: 'maybe' is invalid value for boolean argument
func.func @f(%x: memref<4xf32>) {
  return
}
