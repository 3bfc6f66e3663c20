//===- Bufferization.cpp - tensors to buffers, shared by the pipelines ----===//
//
// One-shot bufferization of whole modules: results become caller-allocated
// out-parameters (or stay in donated arguments), and every temporary is
// freed by the ownership-based deallocation pipeline.
//
//===----------------------------------------------------------------------===//

#include "cotan/Pipelines/Pipelines.h"

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::cotan::buildBufferizationPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A loop body may compute its next carry in a new buffer (the dealloc
  // pipeline frees the previous one).
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addNestedPass<func::FuncOp>(cotan::createWriteDonatedInputs());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(cotan::createReturnDonatedBuffers());
  pm.addNestedPass<func::FuncOp>(cotan::createDistinctResults());
  // Callers allocate the results; without modifyPublicFunctions the pass
  // silently leaves public functions alone.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
}
