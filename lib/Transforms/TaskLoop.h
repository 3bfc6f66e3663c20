//===- TaskLoop.h - a loop over independent tasks ---------------*- C++ -*-===//
//
// The CPU kernels split their work into independent tasks numbered
// 0..count-1: an scf.parallel runs them on the async runtime's threads, an
// scf.for in order (for small work, or when threads are off).
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_TASKLOOP_H
#define COTAN_LIB_TRANSFORMS_TASKLOOP_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::cotan {

/// Builds the loop at `builder`'s insertion point and calls `body` with a
/// builder inside it and the task's number.
void buildTaskLoop(OpBuilder &builder, Location loc, Value count,
                   bool parallel,
                   function_ref<void(OpBuilder &, Value task)> body);

/// The loop sizes of `op` as index values (constants where static, read
/// from its buffers where dynamic), for a kernel splitting it into tasks.
SmallVector<Value> loopSizes(OpBuilder &builder, Location loc,
                             linalg::LinalgOp op);

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_TASKLOOP_H
