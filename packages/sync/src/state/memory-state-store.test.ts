import { describeStateStoreContract } from "../../test/support/state-store-contract.js";
import { MemoryStateStore } from "./memory-state-store.js";

describeStateStoreContract("MemoryStateStore", async () => {
  let now = 1_000_000;
  return {
    store: new MemoryStateStore(() => now),
    advance: async (ms) => {
      now += ms;
    },
    close: async () => {},
  };
});
