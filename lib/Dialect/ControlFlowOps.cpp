//===- ControlFlowOps.cpp - switch, while and scan verifiers --------------===//
//
// Each region of a control-flow op is a closed function of its block
// arguments; the verifiers check those signatures against the operands and
// results and name the first mismatch. Derivative and batching rules for
// these ops live in lib/Transforms (they transform whole regions).
//
//===----------------------------------------------------------------------===//

#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// Checks that `region`'s entry block takes exactly `expected`.
LogicalResult verifyRegionArguments(Operation *op, Region &region,
                                    StringRef what, TypeRange expected) {
  TypeRange actual = region.front().getArgumentTypes();
  if (actual == expected)
    return success();
  return op->emitOpError() << what << " takes (" << actual
                           << ") but must take (" << expected << ")";
}

/// Checks that `region` yields exactly `expected`.
LogicalResult verifyRegionYield(Operation *op, Region &region, StringRef what,
                                TypeRange expected) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError() << what << " must end with cotan.yield";
  TypeRange actual = yield.getValues().getTypes();
  if (actual == expected)
    return success();
  return op->emitOpError() << what << " yields (" << actual
                           << ") but must yield (" << expected << ")";
}

/// The type of one slice of a stacked value along its leading dimension.
RankedTensorType sliceType(Type stacked) {
  auto type = cast<RankedTensorType>(stacked);
  return RankedTensorType::get(type.getShape().drop_front(),
                               type.getElementType());
}

} // namespace

LogicalResult SwitchOp::verify() {
  if (getBranches().empty())
    return emitOpError("(switch_c1) needs at least one branch");
  for (auto [i, branch] : llvm::enumerate(getBranches())) {
    std::string what = "(switch_c2) branch " + std::to_string(i);
    if (failed(verifyRegionArguments(*this, branch, what,
                                     getInputs().getTypes())) ||
        failed(verifyRegionYield(*this, branch, what, getResultTypes())))
      return failure();
  }
  return success();
}

LogicalResult WhileOp::verify() {
  SmallVector<Type> arguments(getInit().getTypes());
  llvm::append_range(arguments, getConsts().getTypes());
  if (TypeRange(getInit().getTypes()) != getResultTypes())
    return emitOpError("(while_c1) result types (")
           << getResultTypes() << ") must match the initial values ("
           << getInit().getTypes() << ")";
  Type predicate = RankedTensorType::get({}, IntegerType::get(getContext(), 1));
  if (failed(verifyRegionArguments(*this, getCond(), "(while_c2) cond",
                                   arguments)) ||
      failed(verifyRegionArguments(*this, getBody(), "(while_c2) body",
                                   arguments)) ||
      failed(verifyRegionYield(*this, getCond(), "(while_c3) cond",
                               predicate)) ||
      failed(verifyRegionYield(*this, getBody(), "(while_c4) body",
                               getInit().getTypes())))
    return failure();
  return success();
}

LogicalResult ScanOp::verify() {
  int64_t length = getLength();
  if (length < 0)
    return emitOpError("(scan_c1) length must be >= 0, got ") << length;
  SmallVector<Type> arguments(getInit().getTypes());
  for (auto [i, x] : llvm::enumerate(getXs())) {
    auto type = cast<RankedTensorType>(x.getType());
    if (type.getRank() == 0 || type.getDimSize(0) != length)
      return emitOpError("(scan_c2) scanned operand ")
             << i << " has type " << type
             << " but needs a leading dimension of size " << length;
    arguments.push_back(sliceType(type));
  }
  llvm::append_range(arguments, getConsts().getTypes());
  if (failed(verifyRegionArguments(*this, getBody(), "(scan_c3) body",
                                   arguments)))
    return failure();

  size_t numCarry = getInit().size();
  TypeRange results = getResultTypes();
  if (results.size() < numCarry ||
      results.take_front(numCarry) !=
          TypeRange(getInit().getTypes()))
    return emitOpError("(scan_c4) the first results (")
           << results << ") must match the initial carry ("
           << getInit().getTypes() << ")";
  SmallVector<Type> yielded(getInit().getTypes());
  for (auto [i, type] : llvm::enumerate(results.drop_front(numCarry))) {
    auto stacked = cast<RankedTensorType>(type);
    if (stacked.getRank() == 0 || stacked.getDimSize(0) != length)
      return emitOpError("(scan_c5) stacked result ")
             << i << " has type " << stacked
             << " but needs a leading dimension of size " << length;
    yielded.push_back(sliceType(stacked));
  }
  return verifyRegionYield(*this, getBody(), "(scan_c6) body", yielded);
}
