// Loaded into Node (NODE_OPTIONS=--import) when pgcutover renders the HTML report: Allure's
// quality gate calls Iterator.prototype.toArray, which Node has only from version 22.
const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([].values()));
if (typeof IteratorPrototype.toArray !== "function") {
  Object.defineProperty(IteratorPrototype, "toArray", {
    value() {
      return Array.from(this);
    },
    writable: true,
    configurable: true,
  });
}
