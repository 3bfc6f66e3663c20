//===- Dialects.cpp - C API for the cotan dialect -------------------------===//

#include "cotan-c/Dialects.h"

#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"
#include "cotan/Pipelines/Pipelines.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/CAPI/Registration.h"

#include <mutex>

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Cotan, cotan, mlir::cotan::CotanDialect)

void cotanRegisterDialectExtensions(MlirDialectRegistry registry) {
  mlir::cotan::registerControlFlowRules(*unwrap(registry));
  mlir::cotan::registerMPIInterfaces(*unwrap(registry));
}

void cotanRegisterPasses(void) {
  // Registering a pass twice is a fatal error; Python may import us again.
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::cotan::registerCotanConversionPasses();
    mlir::cotan::registerCotanTransformsPasses();
    mlir::cotan::registerCotanPipelines();
  });
}
