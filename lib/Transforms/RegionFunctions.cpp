//===- RegionFunctions.cpp - regions as functions, for control-flow rules -===//

#include "RegionFunctions.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::cotan;

ScratchFunctions::ScratchFunctions(Location loc)
    : module(ModuleOp::create(loc)), symbols(*module) {}

func::FuncOp ScratchFunctions::outline(Region &region, StringRef name) {
  Block &block = region.front();
  auto yield = cast<YieldOp>(block.getTerminator());
  OpBuilder b(module->getContext());
  auto function = func::FuncOp::create(
      b, region.getLoc(), name,
      b.getFunctionType(block.getArgumentTypes(),
                        yield.getValues().getTypes()));
  symbols.insert(function);
  Block *entry = function.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping map;
  map.map(block.getArguments(), entry->getArguments());
  for (Operation &op : block.without_terminator())
    b.clone(op, map);
  func::ReturnOp::create(
      b, yield.getLoc(),
      llvm::map_to_vector(yield.getValues(),
                          [&](Value v) { return map.lookupOrDefault(v); }));
  return function;
}

FailureOr<func::FuncOp> ScratchFunctions::tangent(Region &region) {
  return buildTangentFunction(outline(region, "region"), "region_jvp", symbols);
}

FailureOr<func::FuncOp> ScratchFunctions::adjoint(Region &region) {
  return buildAdjointFunction(outline(region, "region"), "region_vjp", symbols);
}

FailureOr<func::FuncOp> ScratchFunctions::batched(Region &region,
                                                  ArrayRef<bool> batched,
                                                  int64_t batchSize) {
  return buildBatchedFunction(outline(region, "region"), "region_vmap",
                              batched, batchSize, symbols);
}

SmallVector<Value> mlir::cotan::inlineCall(OpBuilder &b, func::FuncOp function,
                                           ValueRange args) {
  Block &body = function.front();
  IRMapping map;
  map.map(body.getArguments(), args);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  return llvm::map_to_vector(body.getTerminator()->getOperands(),
                             [&](Value v) { return map.lookupOrDefault(v); });
}

void mlir::cotan::buildRegion(
    OpBuilder &b, Location loc, Region &region, TypeRange argTypes,
    function_ref<SmallVector<Value>(OpBuilder &, ValueRange)> body) {
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Location> locs(argTypes.size(), loc);
  Block *block = b.createBlock(&region, {}, argTypes, locs);
  SmallVector<Value> yielded = body(b, block->getArguments());
  YieldOp::create(b, loc, yielded);
}

SmallVector<Value> mlir::cotan::concat(ValueRange values, ValueRange more) {
  SmallVector<Value> out(values);
  llvm::append_range(out, more);
  return out;
}

SmallVector<Value> mlir::cotan::seedsOrZeros(OpBuilder &b, Location loc,
                                             ValueRange values,
                                             ArrayRef<Value> seeds) {
  SmallVector<Value> out;
  for (auto [value, seed] : llvm::zip(values, seeds))
    out.push_back(seed ? seed : zerosLike(b, loc, value));
  return out;
}

Value mlir::cotan::selectPerElement(OpBuilder &b, Location loc, Value pred,
                                    Value onTrue, Value onFalse) {
  auto type = cast<RankedTensorType>(onTrue.getType()).clone(b.getI1Type());
  Value mask = BroadcastInDimOp::create(b, loc, type, pred, ArrayRef<int64_t>{0},
                                        dynamicSizesOf(b, loc, type, onTrue));
  return SelectOp::create(b, loc, mask, onTrue, onFalse);
}

void mlir::cotan::registerControlFlowRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, CotanDialect *) {
    attachSwitchRules(context);
    attachWhileRules(context);
    attachScanRules(context);
  });
}
