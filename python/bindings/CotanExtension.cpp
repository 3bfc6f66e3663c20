//===- CotanExtension.cpp - cotan's hook into cotan.mlir ------------------===//
//
// Loaded by cotan.mlir._mlir_libs as a site initializer: every context gets
// the cotan dialect (with its extensions), and cotan's passes and pipelines are registered once.
//
//===----------------------------------------------------------------------===//

#include "cotan-c/Dialects.h"

#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"

NB_MODULE(_site_initialize_0, m) {
  m.doc() = "cotan dialect and pass registration";
  cotanRegisterPasses();
  m.def("register_dialects", [](MlirDialectRegistry registry) {
    mlirDialectHandleInsertDialect(mlirGetDialectHandle__cotan__(), registry);
    cotanRegisterDialectExtensions(registry);
  });
}
