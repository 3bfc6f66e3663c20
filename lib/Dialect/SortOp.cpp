//===- SortOp.cpp - cotan.sort: verifier, derivatives, batching -----------===//
//
// Sorting is a permutation, so its derivatives are permutations too: the
// JVP sorts the tangents along with the inputs (as extra payloads), and
// the VJP undoes the permutation by sorting the cotangents by the sorted
// positions of the inputs.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

LogicalResult SortOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location>, Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  llvm::append_range(inferred, adaptor.getInputs().getTypes());
  return success();
}

LogicalResult SortOp::verify() {
  if (getInputs().empty())
    return emitOpError("(sort_c1) needs at least one input");
  auto first = cast<RankedTensorType>(getInputs().front().getType());
  for (Value input : getInputs().drop_front())
    if (cast<RankedTensorType>(input.getType()).getShape() != first.getShape())
      return emitOpError("(sort_c2) inputs must share one shape, got ")
             << first << " and " << input.getType();
  int64_t dimension = getDimension();
  if (dimension < 0 || dimension >= first.getRank())
    return emitOpError("(sort_c3) dimension ")
           << dimension << " is out of range for inputs of rank "
           << first.getRank();
  int64_t keys = getNumKeys();
  if (keys < 1 || keys > int64_t(getInputs().size()))
    return emitOpError("(sort_c4) num_keys must be in [1, ")
           << getInputs().size() << "], got " << keys;
  return success();
}

namespace {
/// The inputs' positions along `dimension`, as integers of their shape.
Value positions(OpBuilder &b, Location loc, SortOp op) {
  auto type = cast<RankedTensorType>(op.getInputs().front().getType());
  int64_t n = type.getDimSize(op.getDimension());
  Type element = n > std::numeric_limits<int32_t>::max() ? b.getI64Type()
                                                          : b.getI32Type();
  return IotaOp::create(b, loc, type.clone(element), op.getDimension());
}

/// `payloads` sorted by `keys` like `op` sorts its inputs; one result per
/// payload.
SmallVector<Value> sortAlong(OpBuilder &b, Location loc, ValueRange keys,
                             ValueRange payloads, int64_t dimension,
                             bool descending) {
  SmallVector<Value> inputs(keys);
  llvm::append_range(inputs, payloads);
  auto sorted = SortOp::create(b, loc, inputs, dimension, keys.size(),
                               descending);
  return SmallVector<Value>(sorted.getResults().drop_front(keys.size()));
}

/// Places `values` at the non-null entries of `slots`, in order.
SmallVector<Value> scatterNonNull(ArrayRef<Value> slots, ArrayRef<Value> values) {
  SmallVector<Value> out(slots.size());
  auto next = values.begin();
  for (auto [slot, result] : llvm::zip(slots, out))
    if (slot)
      result = *next++;
  return out;
}
} // namespace

SmallVector<Value> SortOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  SmallVector<Value> present(llvm::make_filter_range(tangents, [](Value t) { return bool(t); }));
  if (present.empty())
    return SmallVector<Value>(tangents.size());
  ValueRange keys = getInputs().take_front(getNumKeys());
  return scatterNonNull(tangents, sortAlong(b, getLoc(), keys, present, getDimension(),
                                            getDescending()));
}

SmallVector<Value> SortOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  SmallVector<Value> present(llvm::make_filter_range(cotangents, [](Value c) { return bool(c); }));
  if (present.empty())
    return SmallVector<Value>(cotangents.size());
  Location loc = getLoc();
  ValueRange keys = getInputs().take_front(getNumKeys());
  // Where each sorted element came from; sorting by it restores the order.
  Value origin = sortAlong(b, loc, keys, positions(b, loc, *this), getDimension(),
                           getDescending())
                     .front();
  return scatterNonNull(cotangents, sortAlong(b, loc, origin, present, getDimension(),
                                              /*descending=*/false));
}

FailureOr<SmallVector<Value>> SortOp::batch(OpBuilder &b, ValueRange operands,
                                            ArrayRef<bool> batched, BatchSize size) {
  if (size.isDynamic())
    return failure(); // sort takes static shapes only
  SmallVector<Value> inputs;
  for (auto [value, isBatched] : llvm::zip(operands, batched))
    inputs.push_back(isBatched ? value : broadcastBatch(b, getLoc(), value, size));
  auto sorted = SortOp::create(b, getLoc(), inputs, getDimension() + 1,
                               getNumKeys(), getDescending());
  return SmallVector<Value>(sorted.getResults());
}
