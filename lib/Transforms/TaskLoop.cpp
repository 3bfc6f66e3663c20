//===- TaskLoop.cpp - a loop over independent tasks -----------------------===//

#include "TaskLoop.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;

void mlir::cotan::buildTaskLoop(
    OpBuilder &builder, Location loc, Value upper, bool parallel,
    function_ref<void(OpBuilder &, Value task)> body) {
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  if (parallel) {
    scf::ParallelOp::create(builder, loc, ValueRange{zero}, ValueRange{upper},
                            ValueRange{one},
                            [&](OpBuilder &nested, Location, ValueRange ivs) {
                              body(nested, ivs[0]);
                            });
    return;
  }
  scf::ForOp::create(builder, loc, zero, upper, one, ValueRange{},
                     [&](OpBuilder &nested, Location l, Value iv, ValueRange) {
                       body(nested, iv);
                       scf::YieldOp::create(nested, l);
                     });
}

SmallVector<Value> mlir::cotan::loopSizes(OpBuilder &builder, Location loc,
                                          linalg::LinalgOp op) {
  return llvm::map_to_vector(op.createLoopRanges(builder, loc),
                             [&](const Range &range) {
                               return getValueOrCreateConstantIndexOp(
                                   builder, loc, range.size);
                             });
}
