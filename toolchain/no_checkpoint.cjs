// Loaded into every node that npm and npx start in this project (.npmrc `node-options`): the
// cdktf CLI asks HashiCorp's checkpoint server for news on every run, and where that server is
// out of reach (offline, a firewall) it prints red `[ERROR] getaddrinfo ENOTFOUND` lines on a
// successful run. The CLI reads this variable when it starts, so it must be set before.
process.env.CHECKPOINT_DISABLE ||= "1";
