"""The tool-chain that synthesizes the constructs fast: CDK flavour, Node, loaders, Terraform."""
